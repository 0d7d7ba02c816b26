"""Placeholder parsing, validation and rendering rules (pure functions, no database)."""

import pytest

from sms_templates.placeholders import (
    DEFAULT_VOCABULARY,
    PLACEHOLDER,
    TEXT,
    Diagnostic,
    ParsedTemplate,
    Rendered,
    Segment,
    Substitution,
    parse,
    render,
    render_content,
    segments_for_length,
    validate,
)

SEED = "尊敬的 XM 先生/女士,你好, 您办理的YWMC在SLSJ受理成功。"
V = DEFAULT_VOCABULARY


def kinds_and_values(parsed: ParsedTemplate) -> list[tuple[str, str]]:
    return [(s.kind, s.value) for s in parsed.segments]


def placeholders(content: str, vocabulary=V) -> list[str]:
    return [s.value for s in parse(content, vocabulary).segments if s.kind == PLACEHOLDER]


# --- vocabulary -------------------------------------------------------------------------------


def test_default_vocabulary_has_the_13_dajizhong_codes_with_meanings():
    assert len(DEFAULT_VOCABULARY) == 13
    assert DEFAULT_VOCABULARY["XM"] == "姓名"
    assert DEFAULT_VOCABULARY["CZYJP"] == "中止意见"
    assert DEFAULT_VOCABULARY["ZCDADDRESS"] == "转出地经办地名称"


def test_default_vocabulary_cannot_be_modified():
    with pytest.raises(TypeError):
        DEFAULT_VOCABULARY["NEW"] = "新代码"  # type: ignore[index]


def test_a_frozenset_of_codes_works_as_vocabulary():
    assert placeholders("您好XM", frozenset({"XM"})) == ["XM"]


def test_a_code_added_by_a_province_is_recognised():
    vocabulary = {**V, "GSRDH": "工伤认定书编号"}
    assert placeholders("认定书编号GSRDH。", vocabulary) == ["GSRDH"]
    assert placeholders("认定书编号GSRDH。", V) == []


def test_a_code_missing_from_the_vocabulary_is_not_a_placeholder():
    vocabulary = {code: meaning for code, meaning in V.items() if code != "DAY"}
    assert placeholders("还剩DAY天", vocabulary) == []


def test_a_code_that_cannot_be_written_explicitly_is_refused():
    with pytest.raises(ValueError):
        parse("x", {"xm": "姓名"})


def test_a_string_is_refused_as_vocabulary():
    with pytest.raises(TypeError):
        parse("XM", "XM")  # type: ignore[arg-type]


# --- parsing: the seed example ----------------------------------------------------------------


def test_seed_example_splits_into_text_and_three_placeholders():
    parsed = parse(SEED, V)
    assert kinds_and_values(parsed) == [
        (TEXT, "尊敬的 "),
        (PLACEHOLDER, "XM"),
        (TEXT, " 先生/女士,你好, 您办理的"),
        (PLACEHOLDER, "YWMC"),
        (TEXT, "在"),
        (PLACEHOLDER, "SLSJ"),
        (TEXT, "受理成功。"),
    ]
    assert parsed.diagnostics == ()


def test_segment_offsets_point_into_the_source():
    parsed = parse(SEED, V)
    for segment in parsed.segments:
        assert SEED[segment.start : segment.end] == segment.value
    assert parsed.segments[1] == Segment(PLACEHOLDER, "XM", 4, 6)


def test_codes_are_listed_once_in_order_of_first_use():
    parsed = parse("SLSJ XM YWMC XM SLSJ", V)
    assert parsed.codes == ("SLSJ", "XM", "YWMC")


def test_parsed_template_keeps_its_source():
    assert parse(SEED, V).source == SEED


# --- parsing: bare runs -----------------------------------------------------------------------


def test_longest_code_wins_for_prefix_codes():
    assert placeholders("中止意见:CZYJP。") == ["CZYJP"]
    assert placeholders("终止意见:CZYJ。") == ["CZYJ"]


def test_codes_sharing_a_prefix_are_told_apart():
    assert placeholders("回执号SLHZH,时间SLSJ") == ["SLHZH", "SLSJ"]


def test_adjacent_codes_in_one_run_are_all_placeholders():
    parsed = parse("XMSFZH", V)
    assert kinds_and_values(parsed) == [(PLACEHOLDER, "XM"), (PLACEHOLDER, "SFZH")]
    assert [(s.start, s.end) for s in parsed.segments] == [(0, 2), (2, 6)]
    assert parsed.diagnostics == ()


def test_greedy_longest_match_splits_adjacent_prefix_codes():
    assert placeholders("CZYJPXM") == ["CZYJP", "XM"]
    assert placeholders("CZYJXM") == ["CZYJ", "XM"]


def test_backtracking_finds_a_split_when_greedy_longest_match_fails():
    # Greedy takes CZYJP and is left with an uncoverable "X"; CZYJ + PX covers the run.
    vocabulary = {**V, "PX": "测试代码"}
    assert placeholders("CZYJPX", vocabulary) == ["CZYJ", "PX"]


def test_among_several_splits_the_longer_code_is_taken_first():
    vocabulary = {"AB": "", "A": "", "B": "", "BC": "", "C": ""}
    assert placeholders("ABC", vocabulary) == ["AB", "C"]


def test_word_containing_a_code_stays_text_with_a_warning():
    parsed = parse("节假日HOLIDAY照常办理", V)
    assert kinds_and_values(parsed) == [(TEXT, "节假日HOLIDAY照常办理")]
    (warning,) = parsed.warnings
    assert warning.code == "contains_code_in_word"
    assert warning.severity == "warning"
    assert (warning.start, warning.end) == (3, 10)
    assert warning.found_codes == ("DAY",)
    assert "HOLIDAY" in warning.message and "DAY" in warning.message and "第 4 个字符" in warning.message
    assert parsed.errors == ()


def test_code_in_the_middle_of_a_word_is_warned_about():
    parsed = parse("BAXMC", V)
    assert parsed.codes == ()
    assert parsed.warnings[0].found_codes == ("XM",)


def test_warning_lists_every_code_hidden_in_the_word():
    parsed = parse("CZYJPQ", V)
    assert parsed.warnings[0].found_codes == ("CZYJP", "CZYJ")


def test_capital_word_without_any_code_is_plain_text_without_warning():
    parsed = parse("请下载APP查询", V)
    assert kinds_and_values(parsed) == [(TEXT, "请下载APP查询")]
    assert parsed.diagnostics == ()


def test_lowercase_letters_do_not_join_a_capital_run():
    assert kinds_and_values(parse("XMabc", V)) == [(PLACEHOLDER, "XM"), (TEXT, "abc")]


def test_digits_end_a_capital_run():
    assert kinds_and_values(parse("SLSJ2024XM", V)) == [
        (PLACEHOLDER, "SLSJ"),
        (TEXT, "2024"),
        (PLACEHOLDER, "XM"),
    ]


def test_full_width_letters_are_not_codes():
    assert placeholders("ＸＭ先生") == []


def test_a_very_long_capital_run_is_parsed_without_recursion():
    assert placeholders("XM" * 5000) == ["XM"] * 5000


# --- parsing: explicit {CODE} -----------------------------------------------------------------


def test_explicit_known_code_is_a_placeholder_covering_the_braces():
    parsed = parse("您好{XM}!", V)
    assert kinds_and_values(parsed) == [(TEXT, "您好"), (PLACEHOLDER, "XM"), (TEXT, "!")]
    assert (parsed.segments[1].start, parsed.segments[1].end) == (2, 6)
    assert parsed.diagnostics == ()


def test_explicit_form_separates_a_code_from_a_surrounding_word():
    assert kinds_and_values(parse("HOLI{DAY}", V)) == [(TEXT, "HOLI"), (PLACEHOLDER, "DAY")]


def test_explicit_unknown_code_is_an_error_and_stays_text():
    parsed = parse("您好{ABC}", V)
    assert kinds_and_values(parsed) == [(TEXT, "您好{ABC}")]
    (error,) = parsed.errors
    assert error.code == "unknown_explicit_code"
    assert error.severity == "error"
    assert (error.start, error.end) == (2, 7)
    assert error.message == "第 3 个字符处的“{ABC}”不是已登记的占位符代码。"


def test_explicit_form_holds_exactly_one_code():
    parsed = parse("{XMSFZH}", V)
    assert parsed.codes == ()
    assert parsed.errors[0].code == "unknown_explicit_code"


def test_explicit_code_with_digits_works_when_registered():
    assert placeholders("{XM2}", {**V, "XM2": "第二姓名"}) == ["XM2"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{xm}", [(TEXT, "{xm}")]),
        ("{}", [(TEXT, "{}")]),
        ("{1A}", [(TEXT, "{1A}")]),
        ("{ XM}", [(TEXT, "{ "), (PLACEHOLDER, "XM"), (TEXT, "}")]),
    ],
)
def test_brace_not_followed_by_a_code_pattern_is_plain_text(content, expected):
    parsed = parse(content, V)
    assert kinds_and_values(parsed) == expected
    assert parsed.errors == ()


def test_unclosed_brace_before_a_code_leaves_the_bare_code_a_placeholder():
    assert kinds_and_values(parse("{XM", V)) == [(TEXT, "{"), (PLACEHOLDER, "XM")]


# --- validation -------------------------------------------------------------------------------


def test_valid_template_has_no_diagnostics():
    assert validate(SEED, V) == ()


@pytest.mark.parametrize("content", ["", "   ", "\u3000\n\t"])
def test_empty_or_whitespace_template_is_an_error(content):
    (error,) = validate(content, V)
    assert error.code == "empty_template"
    assert error.severity == "error"


def test_template_over_max_length_is_an_error():
    content = "好" * 11
    (error,) = validate(content, V, max_length=10)
    assert error.code == "too_long"
    assert "11" in error.message and "10" in error.message
    assert validate("好" * 10, V, max_length=10) == ()


def test_default_max_length_is_500_characters():
    assert validate("好" * 500, V) == ()
    assert [d.code for d in validate("好" * 501, V)] == ["too_long"]


def test_validate_includes_parse_errors_and_warnings():
    found = validate("{ABC} HOLIDAY", V)
    assert [(d.severity, d.code) for d in found] == [
        ("error", "unknown_explicit_code"),
        ("warning", "contains_code_in_word"),
    ]


def test_diagnostics_are_immutable():
    diagnostic = validate("", V)[0]
    assert isinstance(diagnostic, Diagnostic)
    with pytest.raises(AttributeError):
        diagnostic.code = "other"  # type: ignore[misc]


# --- rendering --------------------------------------------------------------------------------


def test_seed_example_renders_with_values():
    rendered = render(parse(SEED, V), {"XM": "黄林", "YWMC": "工伤认定", "SLSJ": "2024年5月20日"})
    assert rendered.text == "尊敬的 黄林 先生/女士,你好, 您办理的工伤认定在2024年5月20日受理成功。"
    assert rendered.length == len(rendered.text)
    assert rendered.segments == 1


def test_substitution_offsets_match_the_output_text():
    values = {"XM": "欧阳娜娜", "YWMC": "工伤认定", "SLSJ": "2024年5月20日"}
    rendered = render(parse(SEED, V), values)
    assert [s.code for s in rendered.substitutions] == ["XM", "YWMC", "SLSJ"]
    for substitution in rendered.substitutions:
        assert rendered.text[substitution.start : substitution.end] == values[substitution.code]
    assert rendered.substitutions[0] == Substitution("XM", 4, 8)


def test_each_occurrence_of_a_code_gets_its_own_substitution():
    rendered = render(parse("XM,XM", V), {"XM": "张三"})
    assert rendered.text == "张三,张三"
    assert rendered.substitutions == (Substitution("XM", 0, 2), Substitution("XM", 3, 5))


def test_adjacent_placeholders_render_back_to_back():
    rendered = render(parse("XMSFZH", V), {"XM": "张三", "SFZH": "1234"}, mask_id_number=False)
    assert rendered.text == "张三1234"
    assert rendered.substitutions == (Substitution("XM", 0, 2), Substitution("SFZH", 2, 6))


def test_id_number_is_masked_by_default():
    rendered = render(parse("身份证SFZH", V), {"SFZH": "440102199001011234"})
    assert rendered.text == "身份证4****************4"


def test_id_number_is_shown_whole_when_masking_is_off():
    rendered = render(parse("SFZH", V), {"SFZH": "440102199001011234"}, mask_id_number=False)
    assert rendered.text == "440102199001011234"


def test_id_number_mask_keeps_only_the_first_and_last_characters():
    rendered = render(parse("SFZH", V), {"SFZH": "44010219900101123X"})
    assert rendered.text == "4****************X"
    assert render(parse("SFZH", V), {"SFZH": "12"}).text == "**"


def test_names_are_masked_only_when_asked():
    parsed = parse("XM/CBR", V)
    values = {"XM": "黄林", "CBR": "欧阳娜娜"}
    assert render(parsed, values).text == "黄林/欧阳娜娜"
    assert render(parsed, values, mask_names=frozenset({"XM", "CBR"})).text == "黄**/欧阳**"
    assert render(parsed, values, mask_names={"CBR"}).text == "黄林/欧阳**"


def test_a_masked_name_is_the_surname_and_two_stars_whatever_its_length():
    parsed = parse("XM", V)
    for name in ("黄林", "黄林林", "黄林林林"):
        assert render(parsed, {"XM": name}, mask_names={"XM"}).text == "黄**"


def test_masked_substitution_offsets_cover_the_masked_value():
    rendered = render(parse("您好XM。", V), {"XM": "欧阳娜娜"}, mask_names={"XM"})
    (substitution,) = rendered.substitutions
    assert rendered.text[substitution.start : substitution.end] == "欧阳**"
    assert rendered.length == len("您好欧阳**。")


def test_another_id_number_code_can_be_masked():
    vocabulary = {**V, "JHRSFZH": "监护人身份证号码"}
    rendered = render(
        parse("{JHRSFZH}", vocabulary),
        {"JHRSFZH": "440102199001011234"},
        id_number_codes=frozenset({"SFZH", "JHRSFZH"}),
    )
    assert rendered.text == "4****************4"


def test_missing_value_renders_as_empty_by_default():
    rendered = render(parse("您好XM!", V), {})
    assert rendered.text == "您好!"
    assert rendered.substitutions == (Substitution("XM", 2, 2),)


def test_missing_value_renders_as_the_given_stand_in_unmasked():
    rendered = render(parse("您好XM!SFZH", V), {"XM": None}, missing="【缺】", mask_names={"XM"})  # type: ignore[dict-item]
    assert rendered.text == "您好【缺】!【缺】"
    assert [rendered.text[s.start : s.end] for s in rendered.substitutions] == ["【缺】", "【缺】"]


def test_unknown_explicit_code_renders_as_its_literal_text():
    assert render(parse("{ABC}XM", V), {"XM": "张三"}).text == "{ABC}张三"


def test_text_only_template_renders_unchanged():
    rendered = render(parse("请下载APP查询", V), {"XM": "张三"})
    assert rendered == Rendered("请下载APP查询", (), 8, 1)


def test_empty_template_renders_to_no_segments():
    assert render(parse("", V), {}) == Rendered("", (), 0, 0)


def test_render_content_parses_and_renders_in_one_call():
    rendered = render_content(SEED, {"XM": "黄林"}, V, mask_names={"XM"}, missing="—")
    assert rendered.text == "尊敬的 黄** 先生/女士,你好, 您办理的—在—受理成功。"


def test_rendered_is_immutable():
    rendered = render(parse(SEED, V), {})
    with pytest.raises(AttributeError):
        rendered.text = "x"  # type: ignore[misc]


def test_rendered_segment_count_follows_output_length():
    parsed = parse("XM", V)
    assert render(parsed, {"XM": "好" * 70}).segments == 1
    assert render(parsed, {"XM": "好" * 71}).segments == 2


# --- SMS segment counting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "segments"),
    [(0, 0), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_sms_segment_count_by_length(length, segments):
    assert segments_for_length(length) == segments


def test_negative_length_is_refused():
    with pytest.raises(ValueError):
        segments_for_length(-1)


def test_the_hidden_code_warning_names_each_code_with_its_meaning_and_the_explicit_form():
    (warning,) = parse("节假日HOLIDAY照常办理", V).warnings
    assert warning.message == (
        "第 4 个字符处的“HOLIDAY”含有占位符代码“DAY”（剩余几天办理时间），但整个词不能拆分为占位符，"
        "将按原文发送；如需替换，请写成“{DAY}”的形式。"
    )
    (bare,) = parse("HOLIDAY", frozenset(V)).warnings  # a set of codes has no meanings to show
    assert "含有占位符代码“DAY”，" in bare.message


def test_render_content_masks_and_fills_as_render_does():
    assert render_content("身份证SFZH", {"SFZH": "440102199001011234"}, V).text == "身份证4****************4"
    unmasked = render_content("SFZH", {"SFZH": "440102199001011234"}, V, mask_id_number=False)
    assert unmasked.text == "440102199001011234"
    assert render_content("您好XM!", {}, V).text == "您好!"
    vocabulary = {**V, "JHRSFZH": "监护人身份证号码"}
    guardian = render_content(
        "{JHRSFZH}", {"JHRSFZH": "440102199001011234"}, vocabulary, id_number_codes=frozenset({"JHRSFZH"})
    )
    assert guardian.text == "4****************4"


def test_hidden_codes_are_listed_by_their_first_position_in_the_word():
    (warning,) = parse("DAYQXMQDAY", V).warnings
    assert warning.found_codes == ("DAY", "XM")


def test_the_length_refusals_in_words_and_where():
    assert validate("  ", V) == (Diagnostic("error", "empty_template", "短信模板内容不能为空。", 0, 2),)
    assert validate("您好XM！", V, max_length=4) == (
        Diagnostic("error", "too_long", "短信模板共 5 个字符，超过上限 4 个字符。", 4, 5),
    )
    with pytest.raises(ValueError, match=r"^length cannot be negative$"):
        segments_for_length(-1)


def test_a_parsed_template_built_by_hand_renders_every_text_segment():
    segments = (
        Segment(TEXT, "尊敬的", 0, 3),
        Segment(TEXT, " ", 3, 4),
        Segment(PLACEHOLDER, "XM", 4, 6),
        Segment(TEXT, "，您", 6, 8),
        Segment(TEXT, "好", 8, 9),
    )
    assert render(ParsedTemplate(segments), {"XM": "张三"}).text == "尊敬的 张三，您好"


def test_an_unknown_explicit_code_in_words_and_where():
    assert parse("您好{ABC}", V).diagnostics == (
        Diagnostic(
            "error", "unknown_explicit_code", "第 3 个字符处的“{ABC}”不是已登记的占位符代码。", 2, 7, ("ABC",)
        ),
    )


def test_several_hidden_codes_are_named_one_after_another():
    (warning,) = parse("CZYJPQ", V).warnings
    assert "含有占位符代码“CZYJP”（中止意见）、“CZYJ”（终止意见），" in warning.message


def test_three_codes_in_one_run_each_start_where_the_last_ended():
    segments = parse("XMYWMCSFZH", V).segments
    assert [(s.value, s.start, s.end) for s in segments] == [("XM", 0, 2), ("YWMC", 2, 6), ("SFZH", 6, 10)]


def test_a_string_vocabulary_is_refused_in_words():
    with pytest.raises(
        TypeError, match=r"^vocabulary must be a mapping of code -> meaning or a set of codes, not a str$"
    ):
        parse("XM", "XM")  # type: ignore[arg-type]
