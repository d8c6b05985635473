"""What the workers' fork server imports once (app.report.processes): the render (WeasyPrint,
matplotlib, fontTools) and the upload reader (pypdf), with numpy on one BLAS thread.

Imported for its effect, in the fork server only; the server itself never imports it.
"""

from __future__ import annotations

import importlib

from app.report.processes import one_blas_thread

WORKER_MODULES = ("app.report.attachment", "app.report.render")
"""The upload reader and the render: what a worker would otherwise import on its own."""

one_blas_thread()  # before numpy (under matplotlib) is imported
for _module in WORKER_MODULES:
    importlib.import_module(_module)
