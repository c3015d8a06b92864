"""The static book's build steps (book/build.py) without executing notebooks:
a panel's stops become a static panel whose pictures are the panel's exact
pixels, the index lists the notebooks, and the build never empties a folder
it did not make. The whole build in a browser: tests/browser/test_book.py."""

import io
import json
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the book package sits beside nnlib

from book import build  # noqa: E402
from nnlib.widgets import learning_rate_panel  # noqa: E402
from nnlib.widgets.static import PANEL_STOPS_MIME, stops_payload  # noqa: E402


def pixels(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.fixture(scope="module")
def payload():
    panel = learning_rate_panel()
    panel.stops = {"lr": [0.3, 1.5], "steps": [30]}
    return stops_payload(panel)


def test_static_panel_pictures_are_the_exact_pixels(payload, tmp_path):
    import base64

    (tmp_path / "nb").mkdir()
    page, pictures = build.static_panel_html(payload, 1, "nb", tmp_path)
    assert len(payload["frames"]) == 2  # lr 0.3 and 1.5 at 30 steps
    assert pictures == 3  # and the panel's own picture, lr 0.1, where the page opens
    data = json.loads(re.search(r'class="nnlib-panel-data">(.*?)</script>', page).group(1))
    for frame in payload["frames"]:
        src, text = data["frames"][",".join(map(str, frame["index"]))]
        assert text == frame["text"]
        webp = (tmp_path / src).read_bytes()
        assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
        assert np.array_equal(pixels(webp), pixels(base64.b64decode(frame["png"])))  # lossless
    start = re.search(r'<img class="nnlib-panel-image" src="([^"]+)" alt="([^"]+)"', page)
    assert np.array_equal(pixels((tmp_path / start.group(1)).read_bytes()),
                          pixels(base64.b64decode(payload["start"]["png"])))
    assert start.group(2) == payload["start"]["text"] and start.group(2).startswith("lr=0.1 steps=30")
    assert data["labels"] == [["0.3", "1.5"], ["30"]]
    assert data["index"] == [0, 0]  # the static slider starts at the stop nearest 0.1
    assert '<output data-control="0">0.1</output>' in page  # but its readout says what is drawn
    # One range input for lr; steps has one stop, so it is shown as text.
    assert page.count('type="range"') == 1 and 'steps: <output data-control="1">30</output>' in page
    assert "make lab" in page and "3 pictures" in page


def test_make_static_replaces_the_stops_and_drops_other_widget_views(payload, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("panel", outputs=[
        nbformat.v4.new_output("display_data", data={PANEL_STOPS_MIME: payload, "text/plain": "lr=0.1 ...",
                                                     build.WIDGET_VIEW_MIME: {"model_id": "a"}}),
        nbformat.v4.new_output("display_data", data={build.WIDGET_VIEW_MIME: {"model_id": "b"},
                                                     "text/plain": "IntSlider(value=3)"}),
    ])])
    nb.metadata["widgets"] = {"state": {}}
    panels = build.make_static(nb, "nb", tmp_path)
    first, second = nb.cells[0].outputs
    assert set(first["data"]) == {"text/html", "text/plain"} and 'class="nnlib-panel"' in first["data"]["text/html"]
    assert set(second["data"]) == {"text/plain"}
    assert "widgets" not in nb.metadata
    assert panels == [{"pictures": 3, "stops": {"lr": ["0.3", "1.5"], "steps": ["30"]}}]


def test_index_lists_every_notebook_from_the_readme_table():
    pages = [{"file": "03_gradient_descent_on_a_loss_surface.html", "title": "03 · Gradient descent"},
             {"file": "99_new_notebook.html", "title": "99 · Not in the README yet"}]
    text = build.index_notebook(pages).cells[0].source
    assert "[gradient descent on a loss surface](03_gradient_descent_on_a_loss_surface.html)" in text
    assert "| 99 | [99 · Not in the README yet](99_new_notebook.html) | |" in text
    assert ".ipynb" not in text


def test_build_refuses_to_empty_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "thesis.tex").write_text("keep me")
    with pytest.raises(ValueError, match="not made by the book build"):
        build.prepare(tmp_path)
    assert (tmp_path / "thesis.tex").exists()
    made = tmp_path / "book"
    build.prepare(made)
    (made / "old.html").write_text("stale")
    build.prepare(made)  # its own folder: emptied and marked again
    assert sorted(path.name for path in made.iterdir()) == sorted([build.MARKER, ".nojekyll"])


def test_only_names_existing_notebooks():
    assert [path.name[:2] for path in build.notebook_paths(["3", "04"])] == ["03", "04"]
    with pytest.raises(ValueError, match="do not exist"):
        build.notebook_paths(["77"])


NEW_PANEL_CODE = '''\
import ipywidgets as widgets
import numpy as np
from nnlib.plots.style import new_figure
from nnlib.widgets import SliderPanel

fig, ax = new_figure(width=4, height=3)
(line,) = ax.plot([], [])
ax.set(xlim=(0, 1), ylim=(-1, 1), title="a new panel")

def draw(k, sign):
    xs = np.linspace(0, 1, 50)
    line.set_data(xs, sign * np.sin(k * xs))
    return f"k={k} sign={sign}"

panel = SliderPanel(draw, {"k": widgets.IntSlider(value=2, min=1, max=9), "sign": widgets.Dropdown(options=[1, -1])},
                    fig, stops={"k": [1, 5, 9]})
panel
'''


def test_any_new_notebook_and_any_slider_panel_is_picked_up(tmp_path):
    """A notebook the README does not list yet, with a SliderPanel that is
    none of nnlib's factories, becomes a page with a static panel."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 97 · A new notebook\n\nSome $x^2$."),
                                         nbformat.v4.new_code_cell(NEW_PANEL_CODE)])
    nbformat.write(nb, notebooks / "97_new.ipynb")
    summary = build.build(tmp_path / "book", notebooks=notebooks, log=lambda line: None)
    assert summary["pages"] == ["97_new.html"]
    # k: the stops 1, 5, 9; sign: no stops, so only its current value.
    assert summary["panels"] == {"97_new.html": [{"k": ["1", "5", "9"], "sign": ["1"]}]}
    assert summary["pictures"] == 4  # and the opening picture, k=2
    page = (tmp_path / "book" / "97_new.html").read_text()
    assert page.count('class="nnlib-panel"') == 1 and page.count('type="range"') == 1
    assert "k=2 sign=1" in page and "k=9 sign=1" in page and "static/book.js" in page
    index = (tmp_path / "book" / "index.html").read_text()
    assert 'href="97_new.html"' in index
    assert len(list((tmp_path / "book" / "97_new").glob("*.webp"))) == 4
