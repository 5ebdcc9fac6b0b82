"""The list contract's cursor: what a list gave out reads back, anything else is a 422 naming the cursor."""

import pytest
from ibermuseos_kernel.errors import Invalid
from ibermuseos_kernel.paging import Page
from ibermuseos_platform.paging import decode_cursor, encode_cursor


@pytest.mark.parametrize("page", [Page(20, offset=40), Page(20, after="2027-03-01T00:00:00Z|42")])
def test_a_cursor_reads_back_as_the_page_it_was_made_from(page: Page) -> None:
    assert decode_cursor(encode_cursor(page), page.limit) == page


@pytest.mark.parametrize("cursor", ["\U0010be10ę", "!!!", "bzp4", "", "bzo5OTk5OTk5OTk5"])
def test_a_cursor_no_list_gave_out_is_refused_naming_it(cursor: str) -> None:
    with pytest.raises(Invalid) as refused:
        decode_cursor(cursor, 20)

    assert [issue.field for issue in refused.value.issues] == ["query.cursor"]
