"""An import storm: many crafted PDF uploads at once, and `/healthz` polled meanwhile.

Before issue 15 an upload was parsed on the event loop: one 186 KB file whose name tree
pointed at 10,000 missing objects took 47 s, and `/healthz` waited as long. Here `imports`
uploads start at once against a real uvicorn server, cycling through the hostile files of
tests/crafted_pdfs.py and a genuine report, while `/healthz` is asked every 50 ms (from a
process of its own, so the uploads' client work never delays a sample) until the last upload
is answered. One genuine import first starts the reader's worker process, which, like a
server's first upload after a restart, costs a second of CPU on a 2-core machine.

Checks (tests/test_import_storm.py): `/healthz` p99 under 250 ms; every upload answered 201
(the genuine ones), 422 (the crafted ones) or 503 with Retry-After (every reader taken).
`crafted_uploads` is a coroutine so a combined storm can run it beside the render storm.
`python -m tests.load.import_storm` prints the figures.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass

import httpx

from tests import crafted_pdfs
from tests.conftest import run_coroutine
from tests.load.storm_figures import StormFigures, storm_server, with_health_polled

IMPORT = "/api/v1/assessments/import"
PDF = {"content-type": "application/pdf"}


def uploads() -> list[bytes]:
    """The files a storm cycles through: five kinds of crafted file, one genuine report."""
    genuine = crafted_pdfs.tunewise_pdf()
    return [
        crafted_pdfs.missing_attachments(10_000),
        crafted_pdfs.missing_attachments(100),
        crafted_pdfs.missing_kid(),
        crafted_pdfs.encrypted(genuine),
        crafted_pdfs.deeply_nested(),
        genuine,
    ]


@dataclass
class ImportStormResult(StormFigures):
    imports: int = 0

    def summary(self) -> str:
        return self.figures(f"{self.imports} crafted imports at once")


async def _upload(client: httpx.AsyncClient, pdf: bytes, result: ImportStormResult) -> None:
    began = time.perf_counter()
    response = await client.post(IMPORT, content=pdf, headers=PDF)
    result.record(response, began)


async def crafted_uploads(base: str, result: ImportStormResult) -> None:
    """`result.imports` uploads at once, cycling through `uploads()`."""
    files = uploads()
    limits = httpx.Limits(max_connections=result.imports + 5)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(
            *(_upload(client, files[n % len(files)], result) for n in range(result.imports))
        )


def warm_reader(base: str) -> None:
    """One genuine import: the reader's worker starts on the first upload, as after a restart."""
    warm = httpx.post(base + IMPORT, content=crafted_pdfs.tunewise_pdf(), headers=PDF, timeout=60)
    if warm.status_code != 201:
        raise RuntimeError(f"the warm-up import got {warm.status_code}: {warm.text}")


def import_storm(imports: int = 40) -> ImportStormResult:
    result = ImportStormResult(imports=imports)
    with storm_server() as app:
        warm_reader(app.base)
        with_health_polled(
            app.base, lambda: run_coroutine(crafted_uploads(app.base, result)), result
        )
    return result


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    outcome = import_storm(count)
    sys.stdout.write(f"{outcome.summary()}\n")
    sys.exit(0 if outcome.health_p99_s < 0.25 else 1)
