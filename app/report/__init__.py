"""The PDF report of a saved assessment: pure, from a StoredAssessment to PDF bytes.

- `app.report.render`: `render_pdf`, `render_html` (WeasyPrint: in workers only)
- `app.report.keys`: `report_key`, what the server caches and serves a report by
- `app.report.worker`: `render_pdf_isolated`, the bounded way to call it from the server
- `app.report.processes`: the fork server the workers start from (`app.report.preload`)
- `app.report.attachment`: `read_attachment`, the inputs embedded in a report
- `app.report.upload_limits`: the caps an uploaded PDF is held to before it is read
- `app.report.embedded`: the walk of its attachments within those caps (pypdf: in workers)
- `app.report.upload_worker`: `UploadReader`, reading uploads in worker processes
- the chart is drawn by `app.views.chart_svg`, shared with the results page

This package imports nothing heavy itself: the server imports neither WeasyPrint nor pypdf.
"""
