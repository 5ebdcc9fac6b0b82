"""A private Kafka broker for tests with a SASL_SSL listener (SCRAM-SHA-512 over TLS), started on free
loopback ports from the jars deploy/local/kafka.sh fetches; the shared test broker is never touched.

Its certificates are made at set-up with openssl: a CA, and the broker's certificate for 127.0.0.1."""

import asyncio
import base64
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr

from ..kafka import connection
from ..settings import KafkaSettings
from .services import free_port

USER = "ibermuseos"
KEYSTORE_PASSWORD = "broker-keystore"  # noqa: S105 - a throw-away keystore of a test broker


@dataclass(frozen=True)
class SecuredBroker:
    bootstrap: str
    ca_file: Path
    password: str

    def settings(self, *, password: str | None = None, **overrides: object) -> KafkaSettings:
        """Settings of a client of the SASL_SSL listener (with another password to be refused)."""
        return KafkaSettings.model_validate(
            {
                "bootstrap_servers": self.bootstrap,
                "security_protocol": "SASL_SSL",
                "sasl_mechanism": "SCRAM-SHA-512",
                "sasl_username": USER,
                "sasl_password": SecretStr(password or self.password),
                "ssl_ca_file": self.ca_file,
                **overrides,
            }
        )


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


def _properties(folder: Path, internal: int, secured: int, controller: int) -> str:
    return f"""node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:{controller}
controller.listener.names=CONTROLLER
listeners=INTERNAL://127.0.0.1:{internal},SECURED://127.0.0.1:{secured},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=INTERNAL://127.0.0.1:{internal},SECURED://127.0.0.1:{secured}
listener.security.protocol.map=INTERNAL:PLAINTEXT,SECURED:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.secured.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.secured.ssl.keystore.type=PKCS12
listener.name.secured.ssl.keystore.location={folder / "broker.p12"}
listener.name.secured.ssl.keystore.password={KEYSTORE_PASSWORD}
log.dirs={folder / "data"}
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


@contextmanager
def secured_broker(repo: Path, folder: Path, timeout: float = 90.0) -> Iterator[SecuredBroker]:
    """Start the broker (formatting its storage with the SCRAM user), yield once it answers over SASL_SSL."""
    libs = (
        subprocess.run(
            ["bash", str(repo / "deploy/local/kafka.sh"), "libs"], check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    make_certificates(folder)
    internal, secured, controller = free_port(), free_port(), free_port()
    properties = folder / "server.properties"
    properties.write_text(_properties(folder, internal, secured, controller))
    password = uuid.uuid4().hex
    java = ["java", "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", f"-Dkafka.logs.dir={folder}",
            f"-Dlog4j2.configurationFile={repo / 'deploy/local/kafka/log4j2.xml'}", "-cp", f"{libs}/*"]  # fmt: skip
    subprocess.run(
        [*java, "kafka.tools.StorageTool", "format", "--config", str(properties), "--cluster-id",
         _cluster_id(), "--add-scram", f"SCRAM-SHA-512=[name={USER},password={password}]"],
        check=True, capture_output=True,
    )  # fmt: skip
    with (folder / "broker.out").open("wb") as out:
        process = subprocess.Popen(
            [*java, "kafka.Kafka", str(properties)], stdout=out, stderr=subprocess.STDOUT
        )
    broker = SecuredBroker(f"127.0.0.1:{secured}", folder / "ca.crt", password)
    try:
        deadline = time.monotonic() + timeout
        while not asyncio.run(_answers(broker.settings())):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the secured broker did not start: see {folder / 'broker.out'}")
            time.sleep(0.5)
        yield broker
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
