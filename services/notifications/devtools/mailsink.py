"""The local mail sink of `make run`: an SMTP server on loopback that keeps every mail, and a page to read them.

    python mailsink.py --dir .run/mail --smtp-port 1025 --http-port 8025

Mails are stored as .eml files in --dir (open them with any mail client); the page on
http://127.0.0.1:8025 lists them newest first and shows each one's headers, text, HTML
and attachments. Development only: it accepts any mail for anyone and relays nothing.
"""

import argparse
import email
import email.policy
import html
import signal
import threading
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            (self.folder / f"{stamp}.eml").write_bytes(envelope.content)
        return "250 Message kept by the local mail sink"

    def names(self) -> list[str]:
        return sorted((path.name for path in self.folder.glob("*.eml")), reverse=True)

    def read(self, name: str) -> EmailMessage | None:
        path = self.folder / Path(name).name
        if path.suffix != ".eml" or not path.exists():
            return None
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.3em .8em;text-align:left;border-bottom:1px solid #ddd}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:1em}}iframe{{width:100%;height:30em;border:1px solid #ddd}}</style>
</head><body>{body}</body></html>"""


def _page(title: str, body: str) -> bytes:
    return PAGE.format(title=html.escape(title), body=body).encode()


def handler_for(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = [unquote(part) for part in self.path.split("?")[0].strip("/").split("/") if part]
            if not parts:
                return self._send(200, self._index())
            message = (
                store.read(parts[1]) if len(parts) >= 2 and parts[0] in ("mail", "raw", "html") else None
            )
            if message is None:
                return self._send(404, _page("Not found", "<p>No such mail. <a href='/'>All mails</a></p>"))
            if parts[0] == "raw":
                return self._send(200, message.as_bytes(), "message/rfc822")
            if parts[0] == "html":
                part = message.get_body(preferencelist=("html",))
                return self._send(200, str(part.get_content() if part else "").encode())
            if len(parts) == 4 and parts[2] == "attachment":
                attachments = list(message.iter_attachments())
                index = int(parts[3]) if parts[3].isdigit() else -1
                if not 0 <= index < len(attachments):
                    return self._send(404, b"no such attachment", "text/plain")
                attachment = attachments[index]
                return self._send(200, attachment.get_payload(decode=True), attachment.get_content_type())
            return self._send(200, self._mail(parts[1], message))

        def _index(self) -> bytes:
            rows = []
            for name in store.names()[:500]:
                message = store.read(name)
                if message is None:
                    continue
                rows.append(
                    f"<tr><td>{html.escape(str(message['Date'] or ''))}</td><td>{html.escape(str(message['To'] or ''))}</td>"
                    f"<td><a href='/mail/{name}'>{html.escape(str(message['Subject'] or '(no subject)'))}</a></td>"
                    f"<td>{html.escape(str(message['Content-Language'] or ''))}</td>"
                    f"<td>{len(list(message.iter_attachments()))}</td></tr>"
                )
            table = (
                "<table><tr><th>Date</th><th>To</th><th>Subject</th><th>Language</th><th>Attachments</th></tr>"
                + "".join(rows)
                + "</table>"
            )
            note = f"<p>{len(rows)} mails caught by the local sink (SMTP 127.0.0.1), kept in {html.escape(str(store.folder))}.</p>"
            return _page("Local mail sink", "<h1>Local mail sink</h1>" + note + table)

        def _mail(self, name: str, message: EmailMessage) -> bytes:
            headers = "".join(
                f"<tr><th>{html.escape(key)}</th><td>{html.escape(str(value))}</td></tr>"
                for key, value in message.items()
            )
            text_part = message.get_body(preferencelist=("plain",))
            text = html.escape(str(text_part.get_content())) if text_part else ""
            attachments = "".join(
                f"<li><a href='/mail/{name}/attachment/{i}'>{html.escape(part.get_filename() or f'attachment {i}')}</a> "
                f"({html.escape(part.get_content_type())})</li>"
                for i, part in enumerate(message.iter_attachments())
            )
            body = (
                f"<p><a href='/'>All mails</a> · <a href='/raw/{name}'>raw .eml</a></p>"
                f"<h1>{html.escape(str(message['Subject'] or ''))}</h1><table>{headers}</table>"
                f"<h2>Text</h2><pre>{text}</pre><h2>HTML</h2><iframe sandbox src='/html/{name}'></iframe>"
                f"<h2>Attachments</h2><ul>{attachments or '<li>none</li>'}</ul>"
            )
            return _page(str(message["Subject"] or "mail"), body)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(".run/mail"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()
    store = Store(args.dir)
    smtp = Controller(store, hostname=args.host, port=args.smtp_port)
    smtp.start()
    web = ThreadingHTTPServer((args.host, args.http_port), handler_for(store))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    threading.Thread(target=web.serve_forever, daemon=True).start()
    print(
        f"mail sink: SMTP {args.host}:{args.smtp_port}, page http://{args.host}:{args.http_port}", flush=True
    )
    try:
        while not stopping.is_set():
            time.sleep(0.5)
    finally:
        web.shutdown()
        web.server_close()
        smtp.stop()


if __name__ == "__main__":
    main()
