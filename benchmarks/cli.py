"""The command line's timings, each against a baseline measured in the same run (issue 25):

- one case through `python -m app recommend -` against `python -c "import pydantic"` (target
  at most 4x), with `python -c pass` beside it: the interpreter alone;
- a JSON Lines batch through `python -m app recommend --jsonl`, in one process, against
  `recommend()` called in a loop over the same requests (target at least 0.5 of its cases a
  second). The loop runs in a fresh process too, so both start from cold caches; it is timed
  from its first call, the batch from the command's start (interpreter and imports included);
  each runs twice, in the order loop, CLI, CLI, loop.

Start times are measured with compiled bytecode, as an installed copy has it (the image
compiles with UV_COMPILE_BYTECODE): `compileall` runs first, so the first run pays no compile.
`TUNEWISE_BENCH_JSONL_LINES` sets the batch's length (10,000 by default).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from benchmarks.common import FINTECH, LOGISTICS

ROOT = Path(__file__).resolve().parents[1]
LINES = int(os.environ.get("TUNEWISE_BENCH_JSONL_LINES", "10000"))
LOOP = """
import sys, time
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
requests = [RecommendationRequest.model_validate_json(line) for line in open(sys.argv[1], "rb")]
start = time.perf_counter()
for request in requests:
    recommend(request)
print(time.perf_counter() - start)
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPATH": str(ROOT)}


def compile_bytecode() -> None:
    for where in (str(ROOT / "app"), sysconfig.get_paths()["purelib"]):
        subprocess.run(  # noqa: S603  # our own interpreter, compileall
            [sys.executable, "-m", "compileall", "-q", "-j", "0", where],
            env=_env(),
            capture_output=True,
            check=False,
        )


def _wall(args: list[str], stdin: bytes = b"") -> float:
    start = time.perf_counter()
    subprocess.run(  # noqa: S603  # our own interpreter and fixed arguments
        [sys.executable, *args], input=stdin, capture_output=True, cwd=ROOT, env=_env(), check=True
    )
    return time.perf_counter() - start


def start_times(repeat: int = 7) -> dict[str, float]:
    """Median wall seconds of each command, the three interleaved so load hits them alike."""
    case = json.dumps(FINTECH).encode()
    commands = {
        "python -c pass": (["-c", "pass"], b""),
        'python -c "import pydantic"': (["-c", "import pydantic"], b""),
        "python -m app recommend - (one case)": (["-m", "app", "recommend", "-"], case),
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (args, stdin) in commands.items():
            samples[name].append(_wall(args, stdin))
    return {name: statistics.median(times) for name, times in samples.items()}


def batch_file(path: Path, lines: int) -> None:
    """`lines` requests, mostly distinct: the two worked examples at random data sizes."""
    rng = random.Random(25)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(lines):
            body = rng.choice([FINTECH, LOGISTICS])
            answers = {**body["answers"], "labelled_examples": rng.randint(200, 500_000)}
            out.write(json.dumps({"answers": answers, "context": body["context"]}) + "\n")


def _loop(path: Path) -> float:
    """Seconds of recommend() over the file's requests, in a fresh process, from its first call."""
    loop = subprocess.run(  # noqa: S603  # our own interpreter and a fixed script
        [sys.executable, "-c", LOOP, str(path)],
        capture_output=True,
        cwd=ROOT,
        env=_env(),
        check=True,
        text=True,
    )
    return float(loop.stdout)


def batch(lines: int = LINES) -> tuple[float, float]:
    """(cases a second through the CLI's --jsonl, cases a second of recommend() in a loop),
    each run twice in the order loop, CLI, CLI, loop, so a load that drifts hits both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "requests.jsonl"
        batch_file(path, lines)
        loop = _loop(path)
        cli = _wall(["-m", "app", "recommend", "--jsonl", str(path)])
        cli += _wall(["-m", "app", "recommend", "--jsonl", str(path)])
        loop += _loop(path)
        return 2 * lines / cli, 2 * lines / loop


def main() -> None:
    compile_bytecode()
    starts = start_times()
    pydantic = starts['python -c "import pydantic"']
    print(f"{'what':58s} {'s':>8s} {'x pydantic':>11s}")
    for name, seconds in starts.items():
        print(f"{name:58s} {seconds:8.3f} {seconds / pydantic:11.1f}")
    cli, loop = batch()
    rows = [
        (f"recommend() in a loop, {LINES:,} requests", loop),
        ("python -m app recommend --jsonl, the same, one process", cli),
    ]
    print(f"\n{'what':58s} {'cases/s':>8s} {'x loop':>11s}")
    for name, rate in rows:
        print(f"{name:58s} {rate:8.1f} {rate / loop:11.2f}")
    Path("var").mkdir(exist_ok=True)
    figures = {**starts, "jsonl_cases_per_s": cli, "loop_cases_per_s": loop}
    Path("var/bench-cli.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
