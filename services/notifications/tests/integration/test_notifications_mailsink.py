"""The local mail sink `make run` starts: it keeps every mail it is sent and shows it on a page."""

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest
from ibermuseos_platform.testing.services import free_port
from ibermuseos_platform.testing.waiting import eventually

SINK = Path(__file__).resolve().parents[2] / "devtools" / "mailsink.py"


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[int, int, Path]]:
    smtp_port, http_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(SINK),
            "--dir",
            str(tmp_path),
            "--smtp-port",
            str(smtp_port),
            "--http-port",
            str(http_port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield smtp_port, http_port, tmp_path
    finally:
        process.terminate()
        process.wait(15)


async def test_the_sink_keeps_each_mail_as_a_file_and_lists_it_with_its_attachment(
    sink: tuple[int, int, Path],
) -> None:
    smtp_port, http_port, folder = sink
    page = f"http://127.0.0.1:{http_port}"
    async with httpx.AsyncClient(timeout=5) as http:

        async def up() -> bool:
            try:
                return (await http.get(page)).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(up, what="the sink's page")
        mail = EmailMessage()
        mail["Subject"] = "Inscrição confirmada: Museus e memória"
        mail["From"] = "formacion@ibermuseos.example"
        mail["To"] = "ana@museu.example"
        mail.set_content("Olá, Ana")
        mail.add_attachment(
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text", subtype="calendar", filename="s.ics"
        )
        await aiosmtplib.send(mail, hostname="127.0.0.1", port=smtp_port)
        (stored,) = await asyncio.to_thread(lambda: list(folder.glob("*.eml")))
        index = (await http.get(page)).text
        assert "Inscrição confirmada: Museus e memória" in index
        assert "ana@museu.example" in index
        shown = await http.get(f"{page}/mail/{stored.name}")
        assert "Olá, Ana" in shown.text
        assert "s.ics" in shown.text
        attachment = await http.get(f"{page}/mail/{stored.name}/attachment/0")
        assert attachment.headers["content-type"] == "text/calendar"
        assert attachment.content.startswith(b"BEGIN:VCALENDAR")
        assert (await http.get(f"{page}/mail/../../etc/passwd")).status_code == 404
