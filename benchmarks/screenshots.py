"""`make screenshots`: the results page at 1,280 and 390 px, the PDF's first page and its text,
for the five situations of benchmarks/situations.py, into docs/screenshots/ (what a reviewer
looks at before calling a page done).

The app runs in-process on a fresh SQLite file; Chromium is Debian's (as in the browser
tests); PDF pages are rasterised with poppler's pdftoppm.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from PIL import Image
from playwright.sync_api import sync_playwright

from app.config import Settings
from app.main import create_app
from benchmarks.situations import TITLES, situations

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PORT = 8077
PDFTOPPM = "/usr/bin/pdftoppm"  # poppler-utils, from Debian
PDFTOTEXT = "/usr/bin/pdftotext"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _serve(db: Path) -> uvicorn.Server:
    app = create_app(Settings(database_url=f"sqlite:///{db}", report_timeout_s=300))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(100):
        if server.started:
            return server
        time.sleep(0.1)
    raise RuntimeError("the app did not start")


def _save(png: bytes, path: Path) -> None:
    """A screenshot in 256 colours: a tenth of the bytes, the same to a reader."""
    Image.open(io.BytesIO(png)).convert("RGB").quantize(256).save(path, optimize=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):  # the set of situations may change: nothing stale stays
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        server = _serve(Path(tmp) / "shots.db")
        base = f"http://127.0.0.1:{PORT}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, situation in situations().items():
                body = situation | {"title": TITLES[name]}
                aid = httpx.post(f"{base}/api/v1/assessments", json=body, timeout=60).json()["id"]
                for width, height in ((1280, 1500), (390, 2200)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(f"{base}/assessments/{aid}")
                    page.wait_for_timeout(500)
                    _save(page.screenshot(), OUT / f"{name}-{width}.png")
                    chart = page.locator("figure.chart")
                    if width == 1280 and chart.count():
                        _save(chart.first.screenshot(), OUT / f"{name}-chart.png")
                    page.close()
                pdf = Path(tmp) / f"{name}.pdf"
                pdf.write_bytes(
                    httpx.get(f"{base}/assessments/{aid}/report.pdf", timeout=300).content
                )
                # -singlefile: exactly <prefix>.png, whatever the page count (without it,
                # pdftoppm pads the page number to the count's width: -1.png or -01.png).
                prefix = OUT / f"{name}-pdf-1"
                subprocess.run(  # noqa: S603  # our own file names, a fixed tool
                    [PDFTOPPM, "-r", "70", "-png", "-singlefile", str(pdf), str(prefix)],
                    check=True,
                )
                first = prefix.with_suffix(".png")
                _save(first.read_bytes(), first)
                subprocess.run(  # noqa: S603  # page 1 as text, to quote and to diff
                    [
                        PDFTOTEXT,
                        "-layout",
                        "-f",
                        "1",
                        "-l",
                        "1",
                        str(pdf),
                        str(OUT / f"{name}-pdf-1.txt"),
                    ],
                    check=True,
                )
            browser.close()
        server.should_exit = True
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
