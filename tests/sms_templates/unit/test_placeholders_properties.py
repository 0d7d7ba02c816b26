"""Property-based tests of placeholder parsing and rendering."""

from hypothesis import assume, given
from hypothesis import strategies as st

from core.masking import mask_id_number, mask_name
from sms_templates.placeholders import (
    DEFAULT_VOCABULARY,
    ID_NUMBER_CODES,
    PLACEHOLDER,
    TEXT,
    parse,
    render,
    segments_for_length,
)

V = DEFAULT_VOCABULARY
CODES = sorted(V)

# Text that is likely to contain codes, near-codes, braces and the boundaries between them, since
# plain st.text() almost never produces a capital run that means anything.
tricky_text = st.text(alphabet=st.sampled_from(list("XMSFZHCZYJPDAYSLHBGQ{}{}xm19 ,。您好\u3000")))
any_text = st.one_of(st.text(), tricky_text)

# Literal chunks hold no capitals, so they cannot form or extend a bare code.
literal_chunk = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789 ,.!?:;()[]{}/-，。！？：；（）【】“”"),
    ),
    max_size=12,
)
values_strategy = st.fixed_dictionaries({}, optional={code: st.text(max_size=20) for code in CODES})


@given(content=any_text, values=values_strategy)
def test_template_without_placeholders_renders_unchanged(content, values):
    parsed = parse(content, V)
    assume(not parsed.codes)
    rendered = render(parsed, values, mask_names=frozenset({"XM"}))
    assert rendered.text == content
    assert rendered.substitutions == ()
    assert rendered.length == len(content)


@given(
    pieces=st.lists(st.tuples(literal_chunk, st.sampled_from(CODES)), max_size=8),
    tail=literal_chunk,
    values=st.fixed_dictionaries({code: st.text(max_size=20) for code in CODES}),
)
def test_every_substitution_slice_is_the_value_given(pieces, tail, values):
    content = "".join(chunk + "{" + code + "}" for chunk, code in pieces) + tail
    parsed = parse(content, V)
    rendered = render(parsed, values, mask_id_number=False)

    assert parsed.errors == ()
    assert [s.code for s in rendered.substitutions] == [code for _, code in pieces]
    for substitution in rendered.substitutions:
        assert rendered.text[substitution.start : substitution.end] == values[substitution.code]
    assert rendered.text == "".join(chunk + values[code] for chunk, code in pieces) + tail
    assert rendered.length == len(rendered.text)
    assert rendered.segments == segments_for_length(len(rendered.text))


@given(content=any_text)
def test_parse_never_raises_and_segments_tile_the_source(content):
    parsed = parse(content, V)

    position = 0
    for segment in parsed.segments:
        assert segment.start == position
        assert segment.end > segment.start
        source = content[segment.start : segment.end]
        if segment.kind == TEXT:
            assert segment.value == source
        else:
            assert segment.kind == PLACEHOLDER
            assert segment.value in V
            assert source in (segment.value, "{" + segment.value + "}")
        position = segment.end
    assert position == len(content)

    for diagnostic in parsed.diagnostics:
        assert 0 <= diagnostic.start < diagnostic.end <= len(content)
        assert diagnostic.severity in ("error", "warning")
        assert diagnostic.message


@given(codes=st.lists(st.sampled_from(CODES), min_size=1, max_size=10))
def test_a_run_made_of_codes_is_all_placeholders(codes):
    run = "".join(codes)
    parsed = parse(f"您好{run}。", V)
    placeholder_values = [s.value for s in parsed.segments if s.kind == PLACEHOLDER]
    assert "".join(placeholder_values) == run
    assert parsed.diagnostics == ()


@given(content=any_text, values=values_strategy)
def test_every_masked_substitution_slice_is_the_shared_mask_of_its_value(content, values):
    parsed = parse(content, V)
    masked = render(parsed, values, mask_names=frozenset(CODES))
    for substitution in masked.substitutions:
        value = values.get(substitution.code)
        mask = mask_id_number if substitution.code in ID_NUMBER_CODES else mask_name
        expected = "" if value is None else mask(value)
        assert masked.text[substitution.start : substitution.end] == expected
    assert masked.length == len(masked.text)


@given(a=st.integers(min_value=0, max_value=10_000), b=st.integers(min_value=0, max_value=10_000))
def test_segment_count_never_decreases_with_length(a, b):
    shorter, longer = sorted((a, b))
    assert segments_for_length(shorter) <= segments_for_length(longer)


@given(n=st.integers(min_value=1, max_value=10_000))
def test_segment_count_is_the_fewest_messages_that_hold_the_text(n):
    count = segments_for_length(n)
    if count == 1:
        assert n <= 70
    else:
        assert 67 * (count - 1) < n <= 67 * count
