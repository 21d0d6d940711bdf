"""What cleaning hostile photos costs: time and peak memory of one report's photos.

Not a test. No server and no database: it calls the photo cleaner that the citizens'
report page calls, once per case below, each in a fresh process (so one case's peak
memory is not another's)::

    uv run python bench/photos.py              # every case, 3 runs each
    uv run python bench/photos.py --runs 1 --label before

Cases: the photos an attacker posts to ``/report/`` — a 7000×7000 PNG of 47 kB, a 24 MP
PNG, a 24 MP JPEG, a 1×100000 strip, a PNG that declares 30000×30000 pixels in 117 kB
(a decompression bomb) — alone and six to a request (the most a report takes), and a
real phone's 12 MP JPEG (with EXIF orientation and GPS) alone and six at once. Each
case prints the outcome (accepted, or the refusal a citizen reads), the wall and CPU
seconds, and the peak resident memory the cleaning added to the process. Pillow
allocates pixels outside Python's allocator, so the peak is the process's (``ru_maxrss``
after minus before), not ``tracemalloc``'s. Writes ``bench/results/photos-<label>-<date>.json``.
"""

import argparse
import io
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# name: (files made by ``make``, how many of them the request carries)
CASES = {
    "phone 12 MP JPEG": ("phone", 1),
    "six phone 12 MP JPEGs": ("phone", 6),
    "7000×7000 PNG": ("png7000", 1),
    "six 7000×7000 PNGs": ("png7000", 6),
    "24 MP PNG": ("png24", 1),
    "six 24 MP PNGs": ("png24", 6),
    "24 MP JPEG": ("jpeg24", 1),
    "1×100000 strip": ("strip", 1),
    "30000×30000 bomb PNG": ("bomb", 1),
}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(side: int = 30000) -> bytes:
    """A 1-bit PNG declaring side×side pixels, compressed row by row (never in memory)."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    packer, row, parts = zlib.compressobj(9), b"\0" * (1 + (side + 7) // 8), []
    for _ in range(side):
        parts.append(packer.compress(row))
    parts.append(packer.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def phone_jpeg(size=(4032, 3024)) -> bytes:
    """A phone-like photo: gradient and sensor noise, EXIF orientation 6 and a GPS fix."""
    from PIL import Image

    width, height = size
    base = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 24)
    image = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (37.0, 27.0, 30.0), 3: "E", 4: (118.0, 30.0, 15.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def make(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    if kind == "phone":
        return phone_jpeg()
    if kind == "jpeg24":
        return phone_jpeg((6000, 4000))
    if kind == "png7000":
        Image.new("RGB", (7000, 7000), (200, 30, 30)).save(out, "PNG")
    elif kind == "png24":
        Image.new("RGB", (6000, 4000), (30, 200, 30)).save(out, "PNG")
    elif kind == "strip":
        Image.new("RGB", (1, 100_000), (30, 30, 200)).save(out, "PNG")
    elif kind == "bomb":
        return bomb_png()
    return out.getvalue()


def child(path: str, count: int) -> None:
    """In a fresh process: clean ``count`` copies of the file at ``path``; print figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from civicgrid.cases.photos import PhotoProblem, clean_photos

    translation.activate("en")
    content = Path(path).read_bytes()
    uploads = [SimpleUploadedFile(f"IMG_{i}.jpg", content, "image/jpeg") for i in range(count)]
    before = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    try:
        cleaned = clean_photos(uploads)
        outcome = "accepted: " + ", ".join(f"{c.size // 1024} kB" for c in cleaned)
    except PhotoProblem as problem:
        outcome = f"refused: {problem}"
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    figures = {
        "outcome": outcome,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_added_mb": round((after.ru_maxrss - before.ru_maxrss) / 1024, 1),
    }
    print(json.dumps(figures))


def measure(path: Path, count: int) -> dict:
    command = [sys.executable, __file__, "--child", str(path), str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median kept)")
    parser.add_argument("--label", default="after", help="part of the result's file name")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for kind in {kind for kind, _count in CASES.values()}:
            files[kind] = Path(folder) / kind
            files[kind].write_bytes(make(kind))
        print(f"{'case':24} {'file kB':>8} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  outcome")
        for name, (kind, count) in CASES.items():
            runs = [measure(files[kind], count) for _ in range(args.runs)]
            row = {
                "file_kb": files[kind].stat().st_size // 1024,
                "photos": count,
                "outcome": runs[0]["outcome"],
                **{
                    key: statistics.median(run[key] for run in runs)
                    for key in ("wall_s", "cpu_s", "peak_added_mb")
                },
            }
            results[name] = row
            print(
                f"{name:24} {row['file_kb']:>8} {row['wall_s']:>7.2f} {row['cpu_s']:>6.2f}"
                f" {row['peak_added_mb']:>8.1f}  {row['outcome'][:70]}"
            )
    figures = {
        "label": args.label,
        "commit": commit,
        "runs": args.runs,
        "load_average": os.getloadavg(),
        "cases": results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"photos-{args.label}-{datetime.now(UTC):%Y%m%d}.json"
    target.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
