"""The PDF report of a saved assessment: pure, from a StoredAssessment to PDF bytes.

- `app.report.render`: `render_pdf`, `render_html`, `report_key`
- `app.report.worker`: `render_pdf_isolated`, the bounded way to call it from the server
- `app.report.attachment`: `read_attachment`, the inputs embedded in a report
- `app.report.upload_limits`: the caps an uploaded PDF is held to before it is read
- `app.report.upload_worker`: `UploadReader`, reading uploads in worker processes
- the chart is drawn by `app.views.chart_svg`, shared with the results page

This package imports nothing heavy itself, so a worker process can set its limits first.
"""
