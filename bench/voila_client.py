"""A student's Voila page without the browser: the same requests, no rendering.

A Voila page, once its JavaScript has loaded, does three things with the
server: it fetches the pre-rendered notebook (HTML naming its kernel), opens
the kernel's websocket and asks the widgets' control comm for every widget's
state (the picture included), then sends one comm message per slider move and
receives the kernel's answer (the new picture and status line). ``VoilaPage``
does exactly that, over Tornado's HTTP and websocket clients, so that a load
test can put thirty students on the server without thirty browsers competing
with it for the same cores. What it leaves out is the students' own work:
downloading the page's JavaScript (cached after the first visit) and drawing
it, which their devices do.

The websocket speaks Jupyter's "v1.kernel.websocket.jupyter.org" protocol, as
JupyterLab's and Voila's pages do. (Voila 0.5 reads every binary frame it
sends as v1: sending a picture to a client of the older protocol, it loops
and its memory grows by gigabytes.) A v1 frame is: the number of offsets n (8 bytes, little-endian), n
offsets (8 bytes each), then the parts they delimit: channel, header, parent
header, metadata, content (JSON), then any binary buffers.
"""

import asyncio
import json
import re
import time
import urllib.parse
import uuid

from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

PROTOCOL = "v1.kernel.websocket.jupyter.org"
WIDGET_CONTROL = "jupyter.widget.control"  # ipywidgets 8's comm for "send me every widget's state"


def encode(channel, header, content, metadata=None):
    """One v1 websocket frame (bytes) for a message without buffers."""
    parts = [channel.encode()] + [json.dumps(part).encode() for part in (header, {}, metadata or {}, content)]
    offsets = [8 * (1 + len(parts) + 1)]  # after the count and the len(parts) + 1 offsets
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), *parts])


def decode(frame):
    """(channel, header, content, buffers) of one v1 websocket frame."""
    count = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1):8 * (i + 2)], "little") for i in range(count)]
    parts = [frame[start:end] for start, end in zip(offsets, offsets[1:])]
    header, _parent, _metadata, content = (json.loads(part) for part in parts[1:5])
    return parts[0].decode(), header, content, parts[5:]


class VoilaPage:
    """One student's page: ``await open()``, then ``sliders, image = panel()``
    and ``await move(sliders["steps"], 31, image)``, then ``await close()``."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        self.session = uuid.uuid4().hex
        self.kernel_id = None
        self.states = {}  # widget model id -> {"model_name": ..., "state": {...}}
        self.views = []  # model ids of the widgets the page displays, in order
        self.pictures = {}  # Image model id -> its latest picture (bytes)
        self.websocket = None
        self.xsrf = None

    def _message(self, msg_type, content, metadata=None):
        header = {"msg_id": uuid.uuid4().hex, "username": "student", "session": self.session,
                  "msg_type": msg_type, "version": "5.3", "date": "1970-01-01T00:00:00.000000Z"}
        return encode("shell", header, content, metadata)

    async def open(self, timeout=300):
        """Fetch the page, connect to its kernel and receive every widget's state."""
        response = await AsyncHTTPClient().fetch(self.base_url + "/", request_timeout=timeout)
        html = response.body.decode()
        found = re.search(r'"kernelId": "([0-9a-f-]+)"', html)
        if found is None:
            raise RuntimeError(f"the page (HTTP {response.code}, {len(html)} characters) names no kernel")
        self.kernel_id = found.group(1)
        self.views = re.findall(r'widget-view\+json": \{"model_id": "([0-9a-f]+)"', html)
        cookies = response.headers.get_list("Set-Cookie")
        xsrf = [c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("_xsrf=")]
        self.xsrf = xsrf[0] if xsrf else None
        url = self.base_url.replace("http", "ws", 1) + f"/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self.websocket = await websocket_connect(url, subprotocols=[PROTOCOL], max_message_size=256 * 2**20)
        comm_id = uuid.uuid4().hex
        await self.websocket.write_message(self._message(
            "comm_open", {"comm_id": comm_id, "target_name": WIDGET_CONTROL, "data": {}}, {"version": "1.0.0"}),
            binary=True)
        await self.websocket.write_message(self._message(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}), binary=True)
        content, buffers = await self._wait_for(lambda c: c.get("comm_id") == comm_id,
                                                deadline=time.monotonic() + timeout)
        self.states = content["data"]["states"]
        for (model_id, *_), buffer in zip(content["data"]["buffer_paths"], buffers):
            if self.states[model_id]["model_name"] == "ImageModel":
                self.pictures[model_id] = bytes(buffer)

    def panel(self, index=0):
        """(sliders by label, picture id) of the ``index``-th displayed panel:
        a box whose children include sliders and an Image."""
        panels = [view for view in self.views if self._find(view, "ImageModel")]
        root = panels[index]
        sliders = {self.states[m]["state"]["description"]: m for m in self._find(root, "SliderModel")}
        return sliders, self._find(root, "ImageModel")[0]

    def _find(self, model_id, name_ends):
        """Model ids under ``model_id`` (itself included) whose model name ends with ``name_ends``."""
        model = self.states.get(model_id)
        if model is None:
            return []
        found = [model_id] if model["model_name"].endswith(name_ends) else []
        for child in model["state"].get("children", []):
            found += self._find(child.removeprefix("IPY_MODEL_"), name_ends)
        return found

    async def move(self, slider_id, value, image_id, timeout=30):
        """Set a slider as the page does and wait for the new picture: seconds taken."""
        started = time.monotonic()
        await self.websocket.write_message(self._message("comm_msg", {
            "comm_id": slider_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}),
            binary=True)
        self.states[slider_id]["state"]["value"] = value
        _content, buffers = await self._wait_for(
            lambda c: c.get("comm_id") == image_id and c["data"].get("method") == "update"
            and ["value"] in c["data"].get("buffer_paths", []), deadline=started + timeout)
        self.pictures[image_id] = bytes(buffers[0])
        return time.monotonic() - started

    async def _wait_for(self, wanted, deadline):
        """(content, buffers) of the next comm message that ``wanted(content)`` accepts."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from the kernel in time")
            frame = await asyncio.wait_for(self.websocket.read_message(), left)
            if frame is None:
                raise ConnectionError("the server closed the websocket")
            _channel, header, content, buffers = decode(frame)
            if header["msg_type"] == "comm_msg" and wanted(content):
                return content, buffers

    async def close(self, tab_closed=True):
        """Leave the page. A closed tab's page asks the server to shut its
        kernel down (Voila's beforeunload beacon); a vanished one (lid shut,
        Wi-Fi lost) just stops talking, and its kernel waits for the culling."""
        if self.websocket is not None:
            self.websocket.close()
        if tab_closed and self.kernel_id:
            body = urllib.parse.urlencode({"_xsrf": self.xsrf or ""})
            headers = {"Cookie": f"_xsrf={self.xsrf}"} if self.xsrf else {}
            await AsyncHTTPClient().fetch(f"{self.base_url}/voila/api/shutdown/{self.kernel_id}", method="POST",
                                          body=body, headers=headers, raise_error=False)
