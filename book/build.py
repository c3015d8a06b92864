"""Build the static book: ``python -m book.build`` (``make book``).

Executes every notebook in notebooks/ with NNLIB_BOOK set, so that each
slider panel's display bundle carries every combination of its stops (see
nnlib/widgets/static.py), then exports one page per notebook with nbconvert's
HTML exporter (template book/templates/nnlib_book, built on JupyterLab's), an
index page with the table of the notebooks, and previous / next links.

    build/book/
      index.html                 the table of the notebooks
      03_gradient_....html       one page per notebook
      03_gradient_.../panel1-<hash>.webp  the precomputed pictures of its panels (lossless)
      static/                    lab.css, book.css, book.js, mathjax/ (vendored)

Nothing on a page comes from outside build/book/: MathJax is copied from the
jupyter-server-mathjax package, the stylesheets from nbconvert's lab template.

    python -m book.build                      every notebook, every stop
    python -m book.build --quick --only 03 04 at most 3 stops per control
"""

import argparse
import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from PIL import Image

from nnlib.widgets.static import BOOK_ENV, PANEL_STOPS_MIME

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
MARKER = ".nnlib-book"  # marks a folder this script made (and may delete)
TITLE = "Learning to Train"
PICTURES_PER_PANEL = 64  # about 60 combinations of stops per panel keeps the book within budget
NOTE = ("Precomputed: without a running notebook, these pictures were drawn in advance, "
        "by the panel's own drawing function, for the values the sliders stop at "
        "({count} pictures). To move the sliders freely, run the notebook: "
        "<code>make lab</code> (see the README).")


def notebook_paths(only=None, folder=ROOT / "notebooks"):
    """The notebooks NN_*.ipynb of ``folder`` (notebooks/), in order; ``only``: numbers to keep ("03")."""
    paths = sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if only:
        wanted = {number.zfill(2) for number in only}
        missing = wanted - {path.name[:2] for path in paths}
        if missing:
            raise ValueError(f"--only names notebooks that do not exist: {sorted(missing)}; "
                             f"have {[path.name[:2] for path in paths]}")
        paths = [path for path in paths if path.name[:2] in wanted]
    return paths


def title_of(nb, fallback):
    """The text of the notebook's first markdown heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#+\s+(.+)$", cell.source, flags=re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


# Kernels started at the same moment can pick the same free port: start one
# at a time (each notebook then runs while the next kernel starts).
_KERNEL_START = threading.Lock()


def execute(path, *, timeout=600):
    """Run the notebook in its folder; returns (the executed copy, seconds).
    The kernel inherits os.environ, where build() has set NNLIB_BOOK."""
    started = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    _KERNEL_START.acquire()
    released = False

    def kernel_ready(**_):
        nonlocal released
        if not released:
            released = True
            _KERNEL_START.release()

    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", on_notebook_start=kernel_ready,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        kernel_ready()
    return nb, time.perf_counter() - started


def write_webp(png, path):
    """The PNG's exact pixels as lossless WebP (about half the bytes; every
    browser shows it). method=1: a fair size for little time."""
    Image.open(io.BytesIO(png)).save(path, format="webp", lossless=True, exact=True, method=1, quality=20)


def static_panel_html(payload, number, folder, out, encode=None):
    """Write the panel's pictures to out/folder/ (one lossless WebP per
    distinct PNG; ``encode(function, *args)`` may run the encoding elsewhere,
    e.g. a thread pool's submit) and return the HTML of the static panel: a
    range input per control that has more than one stop, the image, the
    status line, the data book.js reads, and the note.

    The panel opens on the notebook's own picture and values (``start``);
    the first move snaps every control to its nearest stop.
    Returns (html, number of pictures)."""
    encode = encode or (lambda function, *args: function(*args))
    written = set()

    def picture(encoded):
        png = base64.b64decode(encoded)
        name = f"panel{number}-{hashlib.sha1(png).hexdigest()[:12]}.webp"
        if name not in written:
            written.add(name)
            encode(write_webp, png, out / folder / name)
        return f"{folder}/{name}"

    frames = {",".join(map(str, frame["index"])): [picture(frame["png"]), frame["text"]]
              for frame in payload["frames"]}
    index = [control["index"] for control in payload["controls"]]
    start = payload.get("start")
    src, text = [picture(start["png"]), start["text"]] if start else frames[",".join(map(str, index))]
    controls = []
    for k, control in enumerate(payload["controls"]):
        labels, label = control["labels"], html.escape(control["description"])
        current = html.escape(control.get("current", labels[control["index"]]))
        readout = f'<output data-control="{k}">{current}</output>'
        if len(labels) == 1:
            controls.append(f'<span class="nnlib-panel-control">{label}: {readout}</span>')
            continue
        ticks = f"nnlib-panel-{number}-ticks-{k}"  # a tick mark under the slider at every stop
        controls.append(
            f'<label class="nnlib-panel-control"><span>{label}</span>'
            f'<input type="range" min="0" max="{len(labels) - 1}" step="1" value="{control["index"]}" '
            f'data-control="{k}" data-name="{html.escape(control["name"])}" aria-label="{label}" '
            f'aria-valuetext="{current}" list="{ticks}">'
            f'<datalist id="{ticks}">{"".join(f"<option value={i}></option>" for i in range(len(labels)))}</datalist>'
            f"{readout}</label>")
    data = {"labels": [control["labels"] for control in payload["controls"]], "index": index, "frames": frames}
    # "</" inside a script would end it early; JSON allows the escaped slash.
    data_json = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    page = (f'<div class="nnlib-panel" id="nnlib-panel-{number}" data-key="start">'
            f'<div class="nnlib-panel-controls">{"".join(controls)}</div>'
            f'<img class="nnlib-panel-image" src="{src}" alt="{html.escape(text)}">'
            f'<div class="nnlib-panel-status"><code>{html.escape(text)}</code></div>'
            f'<p class="nnlib-panel-note">{NOTE.format(count=len(written))}</p>'
            f'<script type="application/json" class="nnlib-panel-data">{data_json}</script></div>')
    return page, len(written)


def make_static(nb, folder, out, encode=None):
    """Turn the executed notebook into what a page without a kernel shows:
    every panel's stops into a static panel, other widget views dropped (their
    image/png or text/plain fallback stays). Returns a list of panel summaries."""
    (out / folder).mkdir(parents=True, exist_ok=True)
    panels = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PANEL_STOPS_MIME in data:
                payload = data[PANEL_STOPS_MIME]
                page, pictures = static_panel_html(payload, len(panels) + 1, folder, out, encode)
                output["data"] = {"text/html": page, "text/plain": data.get("text/plain", "")}
                panels.append({"pictures": pictures, "stops": {
                    control["name"]: control["labels"] for control in payload["controls"]}})
            elif WIDGET_VIEW_MIME in data:
                del data[WIDGET_VIEW_MIME]
    nb.metadata.pop("widgets", None)
    return panels


def readme_rows():
    """{"03": "| 03 | [title](notebooks/...) | what you will learn | time |"} from the README's table."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*(\d\d)\s*\|", line)
        if match:
            rows[match.group(1)] = line
    return rows


def index_notebook(pages):
    """The index page as a one-cell notebook: the README's table of the
    notebooks (links pointing at the pages), or a row with the notebook's
    title for one the table does not list yet."""
    rows = readme_rows()
    lines = ["| # | notebook | what you will learn | time |", "|---|---|---|---|"]
    for page in pages:
        number = page["file"][:2]
        if number in rows:
            lines.append(re.sub(r"\(notebooks/[^)]*\.ipynb\)", f"({page['file']})", rows[number]))
        else:
            lines.append(f"| {number} | [{page['title']}]({page['file']}) | | |")
    text = (f"# {TITLE}\n\nAn interactive notebook series on how a neural network is trained, built on "
            "`nnlib`, a small numpy library. This is its static edition: every page can be read "
            "without installing anything, and its slider panels still move between precomputed "
            "pictures. To run the code and move the sliders freely, clone the repository and run "
            "`make lab`.\n\n" + "\n".join(lines) + "\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    nb.metadata["title"] = TITLE
    return nb


def copy_static(out):
    """book.css, book.js, JupyterLab's stylesheets and MathJax into out/static."""
    import jupyter_server_mathjax
    from jupyter_core.paths import jupyter_path

    static = out / "static"
    static.mkdir(parents=True, exist_ok=True)
    for name in ("book.css", "book.js"):
        shutil.copy(HERE / "static" / name, static / name)
    lab = next(Path(folder) for folder in jupyter_path("nbconvert", "templates", "lab")
               if (Path(folder) / "static/index.css").exists())
    css = (lab / "static/index.css").read_text(encoding="utf-8") + (lab / "static/theme-light.css").read_text(
        encoding="utf-8")
    (static / "lab.css").write_text(css, encoding="utf-8")
    # MathJax 2 with the HTML-CSS output and the STIX web fonts: all the
    # page needs (the SVG output and the menu translations are left out).
    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = static / "mathjax"
    # Left out too: extensions/a11y (3.7 MB), the accessibility explorer a
    # reader could switch on from MathJax's menu; AssistiveMML (hidden MathML
    # for screen readers) stays.
    for part in ("MathJax.js", "LICENSE", "config", "extensions", "jax/input", "jax/element",
                 "jax/output/HTML-CSS", "fonts/HTML-CSS"):
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part, ignore=shutil.ignore_patterns("a11y"))
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source / part, target / part)


def export(nb, resources_book, name):
    """The page's HTML, from nbconvert's exporter with the book's template."""
    exporter = HTMLExporter(template_name="nnlib_book", extra_template_basedirs=[str(HERE / "templates")])
    body, _ = exporter.from_notebook_node(nb, resources={"book": resources_book, "metadata": {"name": name}})
    return body


def folder_size(folder):
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def prepare(out):
    """An empty out/ folder; refuses to empty a folder it did not make."""
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ValueError(f"out={str(out)!r} is not empty and was not made by the book build; "
                             "give an empty or new folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by python -m book.build; deleted and rebuilt on every build\n")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are


def build(out, *, only=None, quick=False, notebooks=ROOT / "notebooks", jobs=2, log=print):
    """Build the book into ``out``; returns a summary dict (pages, panels, size, seconds).
    jobs: notebooks executed at the same time (each in its own kernel)."""
    started = time.perf_counter()
    out = Path(out)
    prepare(out)
    copy_static(out)
    paths = notebook_paths(only, notebooks)
    previous = os.environ.get(BOOK_ENV)
    os.environ[BOOK_ENV] = "quick" if quick else "1"  # the kernels inherit it
    pages = []
    # The pictures are encoded in threads while the next notebooks' kernels run.
    encoder = ThreadPoolExecutor(max_workers=2)
    jobs_done = []
    encode = lambda function, *args: jobs_done.append(encoder.submit(function, *args))  # noqa: E731
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as runner:
            # Later notebooks train more: start them first, so the long ones
            # do not end up running alone at the end.
            started_runs = {path: runner.submit(execute, path) for path in reversed(paths)}
            runs = [started_runs[path] for path in paths]
            for path, run in zip(paths, runs):
                try:
                    nb, seconds = run.result()
                except BaseException:
                    for later in runs:
                        later.cancel()  # the ones not started yet
                    raise
                panels = make_static(nb, path.stem, out, encode)
                title = title_of(nb, path.stem)
                nb.metadata["title"] = title
                pages.append({"file": path.stem + ".html", "stem": path.stem, "title": title, "nb": nb,
                              "panels": panels})
                log(f"{path.name}: executed in {seconds:.1f} s, "
                    f"{len(panels)} panel(s), {sum(p['pictures'] for p in panels)} pictures")
                for k, panel in enumerate(panels, 1):
                    log(f"    panel {k}: " + "; ".join(f"{name} {' '.join(labels)}"
                                                        for name, labels in panel["stops"].items()))
                    if panel["pictures"] > PICTURES_PER_PANEL:
                        log(f"    WARNING: panel {k} has {panel['pictures']} pictures, more than "
                            f"{PICTURES_PER_PANEL}: fewer stops keep the book small and quick to build")
    finally:
        if previous is None:
            os.environ.pop(BOOK_ENV, None)
        else:
            os.environ[BOOK_ENV] = previous
    for job in jobs_done:
        job.result()  # raises if an encoding failed
    encoder.shutdown()
    for k, page in enumerate(pages):
        book = {"static": "static", "index": "index.html", "title": TITLE,
                "prev": {"href": pages[k - 1]["file"], "title": pages[k - 1]["title"]} if k > 0 else None,
                "next": {"href": pages[k + 1]["file"], "title": pages[k + 1]["title"]} if k + 1 < len(pages) else None}
        (out / page["file"]).write_text(export(page["nb"], book, page["stem"]), encoding="utf-8")
    first = {"href": pages[0]["file"], "title": pages[0]["title"]} if pages else None
    index = {"static": "static", "index": "index.html", "title": TITLE, "prev": None, "next": first}
    (out / "index.html").write_text(export(index_notebook(pages), index, "index"), encoding="utf-8")
    summary = {"pages": [page["file"] for page in pages],
               "panels": {page["file"]: [p["stops"] for p in page["panels"]] for page in pages},
               "pictures": sum(p["pictures"] for page in pages for p in page["panels"]),
               "bytes": folder_size(out), "seconds": time.perf_counter() - started}
    (out / "book.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    log(f"book: {len(pages)} pages and index in {out}, {summary['pictures']} precomputed pictures, "
        f"{summary['bytes'] / 1e6:.1f} MB, built in {summary['seconds']:.0f} s")
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "book"), help="output folder (default build/book)")
    parser.add_argument("--only", nargs="*", help="notebook numbers to build, e.g. 03 04 (default: all)")
    parser.add_argument("--quick", action="store_true", help="at most 3 stops per control (CI)")
    parser.add_argument("--notebooks", default=str(ROOT / "notebooks"), help="folder of the notebooks")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at the same time (default 2)")
    args = parser.parse_args(argv)
    build(args.out, only=args.only, quick=args.quick, notebooks=args.notebooks, jobs=args.jobs)


if __name__ == "__main__":
    main()
