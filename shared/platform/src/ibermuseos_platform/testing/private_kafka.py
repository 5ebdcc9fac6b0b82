"""A Kafka broker of a test's own, on free loopback ports, from the jars deploy/local/kafka.sh fetches.

The shared test broker is never touched: a test that takes Kafka away (an outage, a secured
listener) stops and starts its own. With `secured=True` it has a SASL_SSL listener too
(SCRAM-SHA-512 over TLS, certificates made at set-up with openssl).
"""

import asyncio
import base64
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from ..kafka import connection
from ..settings import KafkaSettings
from .services import free_port

USER = "ibermuseos"
KEYSTORE_PASSWORD = "broker-keystore"  # noqa: S105 - a throw-away keystore of a test broker


def _cluster_id() -> str:
    """16 random bytes as Kafka writes a Uuid (base64url, unpadded, not starting with a dash)."""
    while (cluster := base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()).startswith("-"):
        pass
    return cluster


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder: Path) -> None:
    """ca.crt, and broker.p12 (the broker's key and certificate for 127.0.0.1, signed by the CA)."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
             "-keyout", "ca.key", "-out", "ca.crt", cwd=folder)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "broker.key", "-out", "broker.csr", cwd=folder)  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.ext", "-out", "broker.crt", cwd=folder)  # fmt: skip
    _openssl("pkcs12", "-export", "-in", "broker.crt", "-inkey", "broker.key", "-certfile", "ca.crt",
             "-out", "broker.p12", "-passout", f"pass:{KEYSTORE_PASSWORD}", cwd=folder)  # fmt: skip


def _properties(folder: Path, internal: int, secured: int | None, controller: int) -> str:
    listeners = f"INTERNAL://127.0.0.1:{internal}"
    protocols = "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"
    security = ""
    if secured is not None:
        listeners += f",SECURED://127.0.0.1:{secured}"
        protocols += ",SECURED:SASL_SSL"
        security = f"""sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.secured.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.secured.ssl.keystore.type=PKCS12
listener.name.secured.ssl.keystore.location={folder / "broker.p12"}
listener.name.secured.ssl.keystore.password={KEYSTORE_PASSWORD}
"""
    return f"""node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:{controller}
controller.listener.names=CONTROLLER
listeners={listeners},CONTROLLER://127.0.0.1:{controller}
advertised.listeners={listeners}
listener.security.protocol.map={protocols}
inter.broker.listener.name=INTERNAL
{security}log.dirs={folder / "data"}
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
"""


async def _answers(settings: KafkaSettings) -> bool:
    admin = AIOKafkaAdminClient(**connection(settings), request_timeout_ms=3_000)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        await admin.close()


@dataclass
class PrivateBroker:
    """A one-node KRaft broker in `folder`; `stop()` and `start()` take it away and bring it back."""

    repo: Path
    folder: Path
    secured: bool = False
    password: str = field(default_factory=lambda: uuid.uuid4().hex)
    internal_port: int = field(default_factory=free_port)
    secured_port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The plaintext listener."""
        return f"127.0.0.1:{self.internal_port}"

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.crt"

    def settings(self, *, password: str | None = None, **overrides: object) -> KafkaSettings:
        """Settings of a client: of the SASL_SSL listener when secured (another password is refused)."""
        if not self.secured:
            return KafkaSettings.model_validate({"bootstrap_servers": self.bootstrap, **overrides})
        return KafkaSettings.model_validate(
            {
                "bootstrap_servers": f"127.0.0.1:{self.secured_port}",
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_username": USER,
                "sasl_password": SecretStr(password or self.password),
                "ssl_ca_file": self.ca_file,
                **overrides,
            }
        )

    def _java(self) -> list[str]:
        libs = (
            subprocess.run(
                ["bash", str(self.repo / "deploy/local/kafka.sh"), "libs"],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        log4j = self.repo / "deploy/local/kafka/log4j2.xml"
        return ["java", "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                f"-Dkafka.logs.dir={self.folder}", f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*"]  # fmt: skip

    def format(self) -> None:
        """Write the configuration and format the storage (with the SCRAM user when secured)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.secured:
            make_certificates(self.folder)
        properties = self.folder / "server.properties"
        properties.write_text(
            _properties(
                self.folder,
                self.internal_port,
                self.secured_port if self.secured else None,
                self.controller_port,
            )
        )
        scram = (
            ["--add-scram", f"SCRAM-SHA-512=[name={USER},password={self.password}]"] if self.secured else []
        )
        subprocess.run(
            [*self._java(), "kafka.tools.StorageTool", "format", "--config", str(properties),
             "--cluster-id", _cluster_id(), *scram],
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self, timeout: float = 90.0) -> None:
        """Start the broker (again, on the same ports and data) and return once it answers."""
        with (self.folder / "broker.out").open("ab") as out:
            self._process = subprocess.Popen(
                [*self._java(), "kafka.Kafka", str(self.folder / "server.properties")],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while not asyncio.run(_answers(self.settings())):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the private broker did not start: see {self.folder / 'broker.out'}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop the broker as an operator would (SIGTERM, then SIGKILL after 30 s)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_private_broker(repo: Path, folder: Path, *, secured: bool = False) -> PrivateBroker:
    """A formatted, started broker of the test's own (from async code: `await asyncio.to_thread(...)`)."""
    broker = PrivateBroker(repo, folder, secured=secured)
    broker.format()
    broker.start()
    return broker


@contextmanager
def private_broker(repo: Path, folder: Path, *, secured: bool = False) -> Iterator[PrivateBroker]:
    """A formatted, started broker of the test's own; stopped at the end."""
    broker = start_private_broker(repo, folder, secured=secured)
    try:
        yield broker
    finally:
        broker.stop()
