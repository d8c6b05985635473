"""View models shared by the results page, the PDF report and the API's `?include=chart`.

Pure: typed results in, typed view values out. The pages and the report lay them out; they
compute nothing of their own.
"""
