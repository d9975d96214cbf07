"""Settings fields parse what a controller types and print it back identically."""

import datetime as dt

import pytest

import kundenwert_xl as kx
from kundenwert_xl import texts
from kundenwert_xl.core import german
from kundenwert_xl.core.settings import (
    PLAIN,
    Settings,
    parse_bands,
    parse_points,
    parse_stichtag,
    setting_key,
    show_bands,
    show_points,
    text_form,
)


def test_every_field_reads_back_what_the_sheet_shows():
    # Non-default values of every kind, typed the way a controller types them.
    typed = {
        "Stichtag": "30.06.2024",
        "Bewertungsmethode": "Feste Grenzen",
        "Grenzen Recency (Tage)": "14; 60,5; 365",
        "RFMR Punkte letzter Kauf (Monate)": "0-3: 50; 3-12,5: 10; ab 12,5: -7,5",
        "RFMR Punkte je Werbekontakt": "Messe: -3,5; Mailing: -2",
        "Wareneinsatzquote": "0,55",
        "Prognose berechnen": "nein",
    }
    first = Settings.from_mapping(typed)
    shown = {label: value for label, value, _ in first.to_rows() if value != ""}
    assert Settings.from_mapping(shown) == first
    # Showing the read-back settings gives the same text again.
    assert {label: value for label, value, _ in Settings.from_mapping(shown).to_rows()} == {
        label: value for label, value, _ in first.to_rows()
    }


@pytest.mark.parametrize(
    ("text", "bands"),
    [
        ("0-6: 40; 6-9: 25; ab 24: -15", ((0.0, 6.0, 40.0), (6.0, 9.0, 25.0), (24.0, None, -15.0))),
        ("0–0,5: +3; ab 0,5: -1,25", ((0.0, 0.5, 3.0), (0.5, None, -1.25))),
    ],
)
def test_bands_by_hand(text, bands):
    assert parse_bands(text) == bands
    assert parse_bands(show_bands(bands)) == bands


def test_show_bands_is_the_german_spelling():
    assert show_bands(((0.0, 0.5, 3.0), (0.5, None, -1.25))) == "0-0,5: 3; ab 0,5: -1,25"


def test_points_by_hand():
    assert parse_points("Hauptkatalog: -12; Messe: 1.234,5") == {
        "Hauptkatalog": -12.0,
        "Messe": 1234.5,
    }
    assert show_points({"Hauptkatalog": -12.0, "Messe": 0.5}) == "Hauptkatalog: -12; Messe: 0,5"


def test_stichtag_as_typed_and_as_excel_serial():
    assert parse_stichtag("30.06.2024") == "2024-06-30"
    # 45473 is 30.06.2024 in Excel's 1900 system; 61 is 01.03.1900, 59 is 28.02.1900.
    assert parse_stichtag(45473) == dt.date(2024, 6, 30)
    assert parse_stichtag("61") == dt.date(1900, 3, 1)
    assert parse_stichtag(59) == dt.date(1900, 2, 28)
    with pytest.raises(ValueError, match="kein Datum"):
        parse_stichtag(60)  # Excel's 29.02.1900 never was


def test_choice_words_both_ways():
    form = text_form("scoring_method")
    assert form.parse("ränge") == "rank" and form.parse("rank") == "rank"
    assert form.show("quartile") == "Quartile"
    assert text_form("forecast_enabled").parse("Ja") is True
    assert text_form("forecast_enabled").show(False) == "nein"


def test_python_values_pass_unparsed():
    # Settings(...) validates what it is given: text parsing is for the sheet and TOML only.
    assert text_form("rfmr_recency_bands").parse(((0, None, 1),)) == ((0, None, 1),)
    assert text_form("budget") is PLAIN
    with pytest.raises(Exception):  # noqa: B017 - pydantic's error; a string is no band tuple
        kx.Settings(rfmr_recency_bands="0-6: 40")


def test_setting_key_takes_german_labels_and_internal_names():
    assert setting_key(" stichtag ") == "reference_date"
    assert setting_key("reference_date") == "reference_date"
    assert setting_key("Unbekannt") is None


def test_german_number_text():
    assert german.parse_number(" +1.234,5") == 1234.5
    assert german.parse_number("0.8") == 0.8
    assert german.decimal_text("1.234,5") == "1234.5"
    assert german.show_number(0.8) == "0,8" and german.show_number(30.0) == "30"


def test_a_stichtag_is_refused_in_the_words_it_was_typed():
    """Found by a new-user trial: 31.02.2024 was echoed as '2024-02-31'; 06.01.99 got no reason."""
    import pytest

    import kundenwert_xl as kx
    from kundenwert_xl.core.errors import KundenwertError

    with pytest.raises(KundenwertError) as bad_day:
        kx.Settings.from_mapping({"Stichtag": "31.02.2024"})
    assert "'31.02.2024' ist kein gültiges Datum" in bad_day.value.problems[0].message
    with pytest.raises(KundenwertError) as short_year:
        kx.Settings.from_mapping({"Stichtag": "06.01.99"})
    assert "zweistellige Jahreszahl" in short_year.value.problems[0].message
    assert str(kx.Settings.from_mapping({"Stichtag": "29.02.2024"}).reference_date) == "2024-02-29"


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        # By hand; Python's "g" would write 3,323e+06, 1,234e-05 and 1e+04.
        (3323456.7, 4, "3323457"),
        (-43_000_000.0, 6, "-43000000"),
        (0.000012345, 4, "0,00001234"),
        (0.000012345, 6, "0,000012345"),
        (9999.5, 4, "10000"),
        (1234.5678, 4, "1235"),
        (0.2425, 4, "0,2425"),
    ],
)
def test_numbers_are_never_shown_in_scientific_notation(value, digits, shown):
    """Found by a new-user trial: the forecast refusal showed "alpha = 3,323e+06"."""
    assert texts.format_number(value, digits) == shown
    assert german.parse_number(shown) == pytest.approx(value, rel=10 ** (1 - digits))


@pytest.mark.parametrize(
    ("key", "typed", "meant"),
    [
        ("cogs_rate", "60 %", 0.6),
        ("cogs_rate", "62,5%", 0.625),
        ("forecast_discount_rate", "8 %", 0.08),
        ("clv_retention", " 80 % ", 0.8),
        ("dilemma_worst_share", "10%", 0.1),
        ("cogs_rate", "0,6", 0.6),
    ],
)
def test_a_share_may_be_typed_as_a_percentage(key, typed, meant):
    label = texts.SETTING_LABELS[key]
    assert getattr(Settings.from_mapping({label: typed}), key) == meant


def test_a_list_of_shares_may_be_typed_as_percentages():
    label = texts.SETTING_LABELS["scenario_steps"]
    assert Settings.from_mapping({label: "5 %; 10 %; 20%"}).scenario_steps == (0.05, 0.1, 0.2)


def test_a_percentage_without_its_sign_is_refused_with_the_share_meant():
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["cogs_rate"]: 60})
    (problem,) = caught.value.problems
    assert "darf höchstens 2 sein" in problem.message
    assert "für 60 % bitte 0,6 oder '60 %' eintragen" in problem.message
    # Not a share: no hint (a count of classes is no percentage).
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["forecast_months"]: 500})
    assert "Anteile" not in caught.value.problems[0].message


def test_a_huge_number_is_echoed_without_exponent():
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["cogs_rate"]: 1e20})
    (problem,) = caught.value.problems
    assert "'100000000000000000000'" in problem.message and "e+" not in problem.message
    assert problem.value == "100000000000000000000"


def test_a_bad_value_is_named_as_it_was_typed():
    """Found by a trial: '100 %' was echoed as the 1 it became, a text '60' got no hint."""
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["clv_retention"]: "100 %"})
    assert "Der Wert '100 %' muss kleiner als 1 sein." in caught.value.problems[0].message
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["cogs_rate"]: "60"})  # a workbook cell
    assert "für 60 % bitte 0,6 oder '60 %' eintragen" in caught.value.problems[0].message
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["cogs_rate"]: -1e30})
    assert "'-1000000000000000000000000000000'" in caught.value.problems[0].message


def test_a_percentage_with_a_thousands_point_is_refused_not_guessed():
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["cogs_rate"]: "1.000 %"})
    assert "'1.000 %' ist mehrdeutig" in caught.value.problems[0].message
    assert Settings.from_mapping({texts.SETTING_LABELS["cogs_rate"]: "60.5 %"}).cogs_rate == 0.605


def test_a_toml_array_of_texts_is_read_like_the_list_text():
    label = texts.SETTING_LABELS["scenario_steps"]
    assert Settings.from_mapping({label: ["5 %", "0,1", 0.2]}).scenario_steps == (0.05, 0.1, 0.2)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("1000", 1000.0), ("1.000.000", 1_000_000.0), ("10.000,50", 10_000.5), ("0.600", 0.6)],
)
def test_euro_settings_read_as_a_german_types_them(typed, meant):
    label = texts.SETTING_LABELS["budget"]
    assert Settings.from_mapping({label: typed}).budget == meant


@pytest.mark.parametrize("typed", ["1.000", "10.000", "-2.500"])
def test_a_single_thousands_point_is_refused_not_read_as_a_decimal(typed):
    """Found by a trial: 'Budget (Euro)' = '10.000' was read as 10 €, 0 customers reached."""
    with pytest.raises(kx.KundenwertError) as caught:
        Settings.from_mapping({texts.SETTING_LABELS["budget"]: typed})
    assert f"'{typed}' ist mehrdeutig" in caught.value.problems[0].message
