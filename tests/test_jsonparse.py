"""parse_json gives json.loads' values and raises json.loads' errors, whatever the document."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segtool.io.jsonparse import parse_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 2]))
def test_valid_documents_parse_as_json_parses_them(value, indent):
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert parse_json(text.encode()) == json.loads(text)
    assert parse_json(text) == json.loads(text)


@pytest.mark.parametrize(
    "document",
    [
        b'{"x": NaN, "y": Infinity, "z": -Infinity}',  # what Python's json.dump writes
        b"[1e400]",  # beyond the float range: inf
        b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
        b'["\\ud800"]',  # a lone surrogate
        b"[123456789012345678901234567890]",  # beyond 64 bits
    ],
)
def test_documents_only_json_reads_are_read(document):
    assert repr(parse_json(document)) == repr(json.loads(document))


@pytest.mark.parametrize(
    "document", [b"", b"[1,", b'{"a": 1,}', b'"\xff"', b"9" * 5000, b"[" * 100_000 + b"]" * 100_000, b"01"]
)
def test_bad_documents_raise_what_json_raises(document):
    with pytest.raises(Exception) as expected:
        json.loads(document)
    with pytest.raises(type(expected.value)) as raised:
        parse_json(document)
    assert str(raised.value) == str(expected.value)
