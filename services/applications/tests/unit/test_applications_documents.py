"""Uploads are told by their bytes, bounded in size, and named safely."""

import pytest
from ibermuseos_applications.domain.documents import Upload, clean_filename, sniff, upload_issues

PDF = b"%PDF-1.7\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"


def upload(content: bytes, declared: str = "application/pdf", **changes) -> Upload:
    values = {
        "kind": "cv",
        "filename": "cv.pdf",
        "declared_type": declared,
        "content": content,
        "size": len(content),
    }
    return Upload(**{**values, **changes})


@pytest.mark.parametrize(
    ("content", "kind"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_accepted_types_are_recognised_by_their_first_bytes(content, kind) -> None:
    assert sniff(content) == kind


def test_a_file_that_is_not_what_it_claims_is_refused() -> None:
    issues = upload_issues(upload(b"MZ\x90\x00 an executable", "application/pdf"), max_bytes=1000)

    assert [(i.field, i.problem) for i in issues] == [("body", "the content is not a application/pdf file")]


def test_types_outside_the_list_are_refused_whatever_their_bytes() -> None:
    issues = upload_issues(upload(b"<html>", "text/html"), max_bytes=1000)

    assert [i.field for i in issues] == ["header.content-type"]


def test_every_problem_of_an_upload_is_listed() -> None:
    issues = upload_issues(upload(PDF * 100, "text/plain", kind="passport", filename="../"), max_bytes=100)

    assert [i.field for i in issues] == ["query.kind", "query.filename", "body", "header.content-type"]


def test_an_empty_file_is_refused() -> None:
    assert [i.problem for i in upload_issues(upload(b""), max_bytes=100)] == ["the file is empty"]


def test_a_file_at_the_size_limit_is_accepted() -> None:
    assert upload_issues(upload(PDF + b"x" * (100 - len(PDF))), max_bytes=100) == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\CV final.pdf", "CV final.pdf"),
        ("carta\x00\n.pdf", "carta_.pdf"),
        ("Currículo (2027).pdf", "Currículo (2027).pdf"),
    ],
)
def test_file_names_lose_paths_and_control_characters(given, kept) -> None:
    assert clean_filename(given) == kept
