"""Drive the real app in a real browser: ``app.py`` in a subprocess, Debian's Chromium.

Shared by the page benchmarks (``ui_latency``, ``load_test``) and the browser tests in
``tests/e2e``; it lives here, not in ``tests/``, because a benchmark is a tool a shop
runs and must not reach into the test suite. ``AppServer`` starts
``python app.py`` on a free 127.0.0.1 port and waits for the page; ``ShopPage``
wraps a Playwright page with what a shopper does (ask, upload, click a card) and
waits on what the page shows, never on fixed sleeps.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from playwright.sync_api import Browser, Page, Playwright

from index.settings import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
# A pasted or dropped file, as the browser delivers it: a DataTransfer holding a File.
_HAND_OVER = """async ([data, name, how]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const files = new DataTransfer();
  files.items.add(new File([bytes], name, { type: 'image/jpeg' }));
  const box = document.querySelector('#ask textarea');
  box.focus();
  if (how === 'paste') {
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: files, bubbles: true }));
  } else {
    for (const type of ['dragenter', 'dragover', 'drop']) {
      const init = { dataTransfer: files, bubbles: true, cancelable: true };
      box.dispatchEvent(new DragEvent(type, init));
    }
  }
}"""
STARTUP_TIMEOUT_S = 180
ANSWER_TIMEOUT_MS = 60_000


def chromium_path() -> str:
    """Debian's Chromium; the browser tests need it (scripts/install.sh installs it)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "no Chromium found: run `apt-get install chromium` (scripts/install.sh does this)"
    )


def launch_browser(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AppServer:
    """``python app.py ARGS`` on a free port, stopped on exit; its log is kept for failures."""

    def __init__(self, *args: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        self._args = [sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(self.port), *args]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> AppServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self._args,
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app.py exited: {self.log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"app.py did not serve in {STARTUP_TIMEOUT_S} s: {self.log}")

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory of the app process, in MB."""
        assert self.process is not None
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


class ShopPage:
    """One shopper's tab."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        page.goto(url)
        page.wait_for_selector("#ask textarea", timeout=ANSWER_TIMEOUT_MS)

    def ask(self, text: str) -> None:
        before = self.answers()
        self.page.fill("#ask textarea", text)
        self.page.press("#ask textarea", "Enter")
        self.wait_for_answer(before)

    def upload(self, photo: Path, text: str = "", *, how: str = "upload") -> None:
        """Give a photo the way a shopper does: "upload" (file picker), "paste" or "drop"."""
        before = self.answers()
        if how == "upload":
            self.page.set_input_files("#ask input[type=file]", str(photo))
        else:
            data = base64.b64encode(photo.read_bytes()).decode("ascii")
            self.page.evaluate(_HAND_OVER, [data, photo.name, how])
        self.page.wait_for_selector("#ask img", timeout=ANSWER_TIMEOUT_MS)  # the preview
        if text:
            self.page.fill("#ask textarea", text)
        self.page.click("#ask .submit-button")
        self.wait_for_answer(before)

    def click_card(self, position: int, action: str, *, answered: bool = True) -> None:
        """Press a card's button ("similar", "compare", "details").

        With ``answered`` wait for the chat turn it starts; otherwise the caller waits
        for what it expects (the details panel, the "picked" notice).
        """
        before = self.answers()
        self.page.locator("#cards article.card").nth(position).locator(f".act-{action}").click()
        if answered:
            self.wait_for_answer(before)

    def answers(self) -> int:
        return self.page.locator("#chat .bot-row").count()

    def wait_for_answer(self, before: int) -> None:
        """The new answer is in the chat and the phrasing step has finished."""
        self.page.wait_for_function(
            """(before) => {
                const bots = document.querySelectorAll('#chat .bot-row').length;
                const status = document.querySelector('#answer-status');
                const text = status ? status.innerText : '';
                return bots > before && text.trim().length > 0 && !text.includes('Wording');
            }""",
            arg=before,
            timeout=ANSWER_TIMEOUT_MS,
        )

    def last_answer(self) -> str:
        return self.page.locator("#chat .bot-row").last.inner_text()

    def card_names(self) -> list[str]:
        return self.page.locator("#cards article.card h3").all_inner_texts()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path
