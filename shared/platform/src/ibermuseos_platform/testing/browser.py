"""Pages seen in a real browser: Debian's chromium, headless, driven over the DevTools protocol (no browser download).

    async with Chromium.started(profile_dir) as browser:
        page = await browser.open(url, width=390, extract="JSON.stringify({...})", headers={"Accept-Language": "pt"})
        page.values, page.errors, page.overflow, page.screenshot  # PNG of the whole page
        on_paper, pdf = await browser.printed(extract="JSON.stringify({...})")  # as printed, and an A4 PDF

`make chromium` installs it (`apt-get install chromium`).
"""

import asyncio
import base64
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets

CHROMIUM = "/usr/bin/chromium"

# What sticks out sideways: the page wider than the window, or an element beyond its edges (one that is
# shown: the content of a closed <details> keeps a box, off to the side, that nobody sees).
_OVERFLOW = """JSON.stringify((() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('body *')].filter(e => {
    if (!e.checkVisibility()) return false;
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  }).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className : ''));
  if (document.documentElement.scrollWidth > width) out.unshift('page ' + document.documentElement.scrollWidth + 'px');
  return out;
})())"""
# The previous page carries a mark, so that it is never taken for the one being loaded.
_LEFT = "window.__left = true"
_READY = (
    "window.__left === undefined && document.readyState === 'complete' && "
    "(document.body.dataset.ready || 'true')"
)


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("this test needs Debian's chromium: `make chromium` (apt-get install chromium)")


@dataclass(frozen=True)
class Page:
    """A page as loaded at one width: what `extract` gave, every error it logged, what overflowed, a PNG."""

    values: Any
    errors: list[str]
    overflow: list[str]
    screenshot: bytes
    width: int


class Chromium:
    """One headless chromium process, one tab, loading page after page."""

    def __init__(self, socket: Any, timeout: float) -> None:
        self._socket = socket
        self._timeout = timeout
        self._counter = 0
        self._results: dict[int, Any] = {}
        self._errors: list[str] = []

    @classmethod
    @asynccontextmanager
    async def started(cls, profile: Path, *, timeout: float = 30.0) -> AsyncIterator["Chromium"]:
        """Starts chromium with its own profile directory; stops it on leaving."""
        _require_chromium()
        process = subprocess.Popen(  # noqa: ASYNC220 - starting is instant; the waits below are async
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--font-render-hinting=none",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port_file = profile / "DevToolsActivePort"
            deadline = time.monotonic() + timeout
            while not port_file.exists() or not port_file.read_text().strip():
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("chromium did not start")
                await asyncio.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            async with httpx.AsyncClient() as client:
                targets = (await client.get(f"http://127.0.0.1:{port}/json/list")).json()
            url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            async with websockets.connect(url, max_size=None) as socket:
                browser = cls(socket, timeout)
                for domain in ("Runtime", "Log", "Page", "Network"):
                    await browser._call(f"{domain}.enable")
                yield browser
                await browser._call("Browser.close")
        finally:
            if process.poll() is None:
                process.terminate()
            try:
                await asyncio.to_thread(process.wait, 10)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait, 10)

    async def open(
        self,
        url: str,
        *,
        width: int,
        extract: str = "null",
        height: int = 800,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        """Load `url` in a window `width` CSS pixels wide (a phone's below 600), wait until it is ready
        (loaded, and `body[data-ready]` "true" when the page has it), then evaluate `extract` (JS giving JSON)."""
        self._errors = []
        await self._call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        await self._call("Network.setExtraHTTPHeaders", headers=dict(headers or {}))
        await self._evaluate(_LEFT)
        await self._call("Page.navigate", url=url)
        deadline = time.monotonic() + self._timeout
        state = None
        while time.monotonic() < deadline:
            state = await self._evaluate(_READY)
            if state in ("true", "error"):
                break
            await asyncio.sleep(0.1)
        assert state == "true", f"{url} did not get ready ({state}): {self._errors}"
        values = json.loads(await self._evaluate(extract) or "null")
        overflow = json.loads(await self._evaluate(_OVERFLOW))
        metrics = await self._call("Page.getLayoutMetrics")
        size = metrics["cssContentSize"]
        shot = await self._call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
        )
        await self._evaluate("1")  # whatever was logged meanwhile
        return Page(values, list(self._errors), overflow, base64.b64decode(shot["data"]), width)

    async def printed(self, *, extract: str = "null") -> tuple[Any, bytes]:
        """The page loaded last as printed (its print stylesheet): what `extract` gives then, and the page as an A4 PDF."""
        await self._call("Emulation.setEmulatedMedia", media="print")
        try:
            values = json.loads(await self._evaluate(extract) or "null")
            pdf = await self._call(
                "Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True
            )
        finally:
            await self._call("Emulation.setEmulatedMedia", media="")
        return values, base64.b64decode(pdf["data"])

    async def _evaluate(self, expression: str) -> Any:
        evaluated = await self._call("Runtime.evaluate", expression=expression, returnByValue=True)
        return evaluated["result"].get("value")

    async def _call(self, method: str, **params: Any) -> Any:
        self._counter += 1
        ident = self._counter
        await self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while ident not in self._results:
            message = json.loads(await asyncio.wait_for(self._socket.recv(), self._timeout))
            if "id" in message:
                self._results[message["id"]] = message.get("result", message.get("error"))
            else:
                self._collect(message)
        return self._results.pop(ident)

    def _collect(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = " ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"])
            self._errors.append(f"console: {args}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self._errors.append(f"exception: {details.get('exception', {}).get('description')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self._errors.append(f"log: {entry.get('text')} {entry.get('url', '')}")
