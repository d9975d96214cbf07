"""Every German word the user sees, in one place.

Code and identifiers are English; this module maps them onto what a German controller reads in
the workbook, in cells, on the command line and in the Prüfprotokoll. Nothing here computes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import string
from collections.abc import Callable, Mapping
from typing import Any

# --- Input tables: German table names and headers -> internal names -------------------------

TABLE_NAMES: dict[str, str] = {
    "transactions": "Transaktionen",
    "customers": "Kunden",
    "contacts": "Werbekontakte",
    "settings": "Einstellungen",
    "segment_rules": "Segmentregeln",
}

HEADERS: dict[str, dict[str, str]] = {
    "transactions": {
        "customer_id": "Kundennr",
        "date": "Datum",
        "revenue": "Umsatz",
        "cost_of_goods": "Wareneinsatz",
        "order_id": "Auftragsnr",
        "discount": "Rabatt",
        "returned": "Retoure",
        "shipping_cost": "Versandkosten",
    },
    "customers": {
        "customer_id": "Kundennr",
        "name": "Name",
        "group": "Kundengruppe",
        "sales_costs": "Vertriebskosten",
        "marketing_costs": "Marketingkosten",
        "service_costs": "Servicekosten",
    },
    "contacts": {
        "customer_id": "Kundennr",
        "date": "Datum",
        "channel": "Art",
    },
}

# Further spellings a user may type for a header (compared case-insensitively, trimmed).
HEADER_ALIASES: dict[str, str] = {
    "kunde": "customer_id",
    "kunden-nr": "customer_id",
    "kunden-nr.": "customer_id",
    "kundennummer": "customer_id",
    "kdnr": "customer_id",
    "auftrag": "order_id",
    "auftragsnummer": "order_id",
    "bestellnr": "order_id",
    "nettoumsatz": "revenue",
    "betrag": "revenue",
    "kanal": "channel",
    "gruppe": "group",
}

TRUE_WORDS = frozenset({"1", "ja", "j", "x", "wahr", "true", "yes", "y"})
FALSE_WORDS = frozenset({"0", "nein", "n", "falsch", "false", "no", ""})


def header(table: str, column: str) -> str:
    """Return the German header of an internal column name (the name itself if unknown)."""
    return HEADERS.get(table, {}).get(column, column)


# --- Problems ---------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    "setup_no_home": "Das Benutzerverzeichnis ist unbekannt (USERPROFILE bzw. HOME fehlt).",
    "setup_store_python": (
        "{path} ist das Python aus dem Microsoft Store; Excel kann es nicht starten. Bitte Python "
        "von python.org installieren und dort kundenwert_xl installieren."
    ),
    "setup_encoding": (
        "Der Pfad '{path}' enthält Zeichen, die Excel in der Einstellungsdatei nicht lesen kann "
        "(Zeichensatz {encoding}). Bitte Python in einen Ordner ohne solche Zeichen installieren."
    ),
    "missing_column": (
        "Pflichtspalte '{column}' fehlt. Bitte eine Spalte mit der Überschrift '{column}' anlegen."
    ),
    "duplicate_header_alias": (
        "Die Spalten '{first}' und '{label}' meinen beide '{column}'. Bitte nur eine davon "
        "behalten oder die andere umbenennen."
    ),
    "duplicate_header": (
        "Die Überschrift '{column}' kommt mehrfach vor. Bitte jede Spalte nur einmal anlegen."
    ),
    "empty_table": "Die Tabelle enthält keine Datenzeilen. Bitte mindestens eine Zeile eintragen.",
    "blank_id": "Kundennummer fehlt. Bitte die Kundennummer eintragen oder die Zeile löschen.",
    "bad_date": (
        "'{value}' ist kein gültiges Datum. Bitte als Datum (TT.MM.JJJJ) oder JJJJ-MM-TT eingeben."
    ),
    "blank_date": "Datum fehlt. Bitte das Datum eintragen (TT.MM.JJJJ).",
    "two_digit_year": (
        "'{value}' hat eine zweistellige Jahreszahl; ob 19.. oder 20.. gemeint ist, bleibt offen. "
        "Bitte das Jahr vierstellig angeben (TT.MM.JJJJ)."
    ),
    "date_out_of_range": (
        "'{value}' liegt außerhalb des Zeitraums 01.01.1900 bis 31.12.2099, den die Auswertung "
        "annimmt (Platzhalter wie 31.12.9999 würden sonst zum Stichtag). Bitte das Datum prüfen."
    ),
    "excel_1900_leap": (
        "'{value}' ist als Excel-Datum der 29.02.1900, den es nicht gibt (ein Erbe von Lotus "
        "1-2-3). Bitte das richtige Datum eintragen."
    ),
    "header_alias": (
        "Die Spalte '{label}' wird als '{column}' gelesen. Falls sie etwas anderes enthält, "
        "bitte die Überschrift ändern."
    ),
    "empty_rows_skipped": (
        "{count:int} leere {count:Zeile|Zeilen} übersprungen (Zeile {rows}): in keiner "
        "ausgewerteten Spalte steht ein Wert."
    ),
    "setting_twice": (
        "Die Einstellung '{column}' steht in der Datei zweimal, unter [Einstellungen] und "
        "außerhalb. Bitte nur einmal angeben."
    ),
    "unused_columns": (
        "{count:Die Spalte|Die Spalten} {names} {count:wird|werden} nicht ausgewertet (keine "
        "bekannte Überschrift). Enthält {count:sie|eine davon} Daten der Auswertung, bitte "
        "so überschreiben, wie die Auswertung sie liest: {known}."
    ),
    "header_alias_revenue": (
        "Die Spalte '{label}' wird als 'Umsatz' gelesen, also als Nettoumsatz ohne "
        "Umsatzsteuer. Enthält sie Bruttobeträge, bitte netto umrechnen oder die Überschrift "
        "ändern."
    ),
    "sheet_too_long": (
        "Das Blatt '{sheet}' bräuchte {rows:int} Zeilen; ein Excel-Blatt hat höchstens "
        "{limit:int}. Bitte die Ergebnisse als .parquet oder .csv ausgeben (z. B. -o "
        "ergebnis.parquet)."
    ),
    "ids_trimmed": (
        "{count:int} {count:Wert|Werte} der Spalte {column} {count:hatte|hatten} Leerzeichen "
        "oder Tabulatoren am Anfang oder Ende (z. B. '{example}'); gezählt wird ohne sie, ein "
        "Wert mit und einer ohne gelten also als derselbe."
    ),
    "zone_offset": (
        "'{value}' enthält eine Uhrzeit mit Zeitzone; gezählt wird das Datum, wie es dasteht, "
        "ohne Umrechnung der Zeitzone."
    ),
    "ambiguous_date": (
        "'{value}' ist mehrdeutig (Tag und Monat vertauschbar). Bitte TT.MM.JJJJ verwenden."
    ),
    "bad_number": "'{value}' ist keine Zahl. Bitte einen Betrag wie 1234,56 eingeben.",
    "ambiguous_number": (
        "'{value}' ist mehrdeutig (Tausenderpunkt oder Dezimalpunkt?). Bitte ohne Tausenderpunkt "
        "und mit Dezimalkomma eingeben, z. B. 1234,5."
    ),
    "blank_number": "Betrag fehlt. Bitte eine Zahl eintragen (0 ist erlaubt).",
    "not_finite": "'{value}' ist kein endlicher Betrag. Bitte eine gewöhnliche Zahl eintragen.",
    "implausible_amount": (
        "'{value}' ist als Betrag unplausibel groß (Grenze: 1 Billion Euro je Zeile, positiv wie "
        "negativ). Bitte den Wert prüfen."
    ),
    "bad_bool": "'{value}' ist kein Ja/Nein-Wert. Bitte 'ja' oder 'nein' (bzw. 1 oder 0) eingeben.",
    "negative_cost": "Kosten von {value} sind negativ. Bitte Kosten als positive Beträge eingeben.",
    "rows_after_reference_date": (
        "{count:int} {count:Zeile liegt|Zeilen liegen} nach dem Stichtag {reference_date} und "
        "{count:wurde|wurden} nicht berücksichtigt."
    ),
    "amounts_rounded_to_cents": (
        "{count:int} {count:Betrag|Beträge} in der Spalte '{column}' {count:hat|haben} Bruchteile "
        "von Cent (z. B. {value:dec}) und {count:wurde|wurden} je Zeile auf ganze Cent gerundet "
        "(kaufmännisch, wie RUNDEN(…; 2)). "
        "Alle Summen rechnen in ganzen Cent."
    ),
    "no_rows_until_reference_date": (
        "Keine Transaktion liegt am oder vor dem Stichtag {reference_date}. Bitte den "
        "Stichtag prüfen."
    ),
    "duplicate_customer": (
        "Kundennummer '{value}' steht mehrfach in der Kundentabelle. Bitte jede Kundennummer "
        "nur einmal aufführen."
    ),
    "unknown_customer_in_contacts": (
        "{count} {count:Werbekontakt gehört|Werbekontakte gehören} zu Kundennummern ohne Transaktion und ohne Eintrag in "
        "der Kundentabelle (z. B. '{value}') und {count:wurde|wurden} nicht berücksichtigt."
    ),
    "bad_setting": "{detail}",
    "more_rows": "… und {count} {count:weitere Zeile|weitere Zeilen} mit demselben Problem.",
    "csv_fields": (
        "Die Zeile hat {count} {count:Feld|Felder}, die Überschrift nur {width}. Bitte Trennzeichen in den "
        "Werten prüfen (z. B. ein Semikolon in einem Namen) oder fehlende Überschriften ergänzen."
    ),
    "csv_number_like": (
        "{count:int} {count:Wert sieht|Werte sehen} für Excel wie eine Zahl aus (z. B. "
        "{example}): Excel entfernt beim Öffnen einer CSV-Datei führende Nullen und kürzt "
        "Ziffernfolgen über 15 Stellen, verschiedene Kundennummern fallen dann zusammen. Für "
        "Excel bitte -o datei.xlsx verwenden oder die Spalte beim Import (Daten > Aus Text/CSV) "
        "als Text einlesen."
    ),
    "cell_too_long": (
        "{count} mit mehr als {most} Zeichen (längster Text "
        "{longest}); eine Excel-Zelle fasst höchstens {most}, geschrieben sind die ersten {most} "
        "Zeichen. Für den vollständigen Text bitte -o datei.csv oder .parquet verwenden."
    ),
    "csv_short_fields": (
        "Datei {file}: Die Zeile hat nur {count} von {width} Feldern; die fehlenden "
        "Werte würden sonst stillschweigend leer gelassen. Bitte die Zeile vervollständigen "
        "(z. B. ein Zeilenumbruch mitten in einem Wert oder ein fehlendes Trennzeichen)."
    ),
    "csv_quote": (
        "Ein Anführungszeichen ab dieser Zeile wird bis zum Dateiende nicht geschlossen. Bitte "
        "das Anführungszeichen entfernen oder schließen."
    ),
    "unknown_channel": (
        "Werbekontakt-Art '{value}' ist in der Einstellung '{setting}' nicht aufgeführt "
        "(z. B. Zeile {rows}). Bitte die Art dort mit ihren Punkten ergänzen oder die Zeilen "
        "korrigieren."
    ),
    "contacts_after_reference_date": (
        "{count} {count:Werbekontakt liegt|Werbekontakte liegen} nach dem Stichtag und "
        "{count:wurde|wurden} nicht berücksichtigt."
    ),
    "segment_overlap": (
        "{count} {count:Kombination|Kombinationen} von R, F und M {count:passt|passen} auf mehrere "
        "Segmentregeln (z. B. {example}); "
        "es gilt jeweils die erste passende Regel."
    ),
    "segment_gap": (
        "{count} {count:Kombination|Kombinationen} von R, F und M {count:passt|passen} auf keine "
        "Segmentregel (z. B. {example}); diese Kunden erhalten '{fallback}'."
    ),
    "fixed_costs_without_group": (
        "Für die Kundengruppe '{value}' sind Fixkosten eingetragen, aber kein Kunde gehört zu "
        "ihr. Die Kosten wurden nicht verteilt; bitte die Gruppennamen prüfen."
    ),
    "revenue_total_not_positive": (
        "Der Gesamtumsatz ist nicht positiv ({total:euro}); Umsatzanteile werden leer gelassen."
    ),
    "db_total_not_positive": (
        "Der gesamte {level} ist nicht positiv ({total:euro}); Anteile am DB werden leer gelassen, die "
        "Beträge in Euro stehen in den Tabellen."
    ),
    "missing_sheet": (
        "Das Blatt bzw. die Tabelle '{sheet}' fehlt. Bitte eine Mappe verwenden, die aus "
        "workbook_template.xlsm entstanden ist."
    ),
    "io_error": "Datei '{path}' kann nicht gelesen werden: {detail}",
    "period_extrapolated": (
        "Die Daten umfassen nur {days:int} {days:Tag|Tage} bis zum Stichtag; DB je Jahr und CLV "
        "sind auf ein "
        "Jahr hochgerechnet und entsprechend unsicher."
    ),
    "reference_date_assumed": (
        "Kein Stichtag angegeben; ausgewertet wurde bis zum letzten Transaktionsdatum "
        "{reference_date}."
    ),
    "cogs_rate_assumed": (
        "Die Spalte Wareneinsatz fehlt; für alle Zeilen wurde die Wareneinsatzquote von {rate:pct1} "
        "des Umsatzes angesetzt (zusammen {total:euro}). Bitte den Wareneinsatz eintragen oder die "
        "Einstellung 'Wareneinsatzquote' prüfen."
    ),
    "cogs_rate_blank": (
        "{count:int} {count:Zeile|Zeilen} ohne Wareneinsatz; dort wurde die Wareneinsatzquote von "
        "{rate:pct1} des Umsatzes angesetzt (zusammen {total:euro})."
    ),
    "orders_from_rows": (
        "Die Spalte Auftragsnr fehlt; jede Zeile mit Umsatz zählt als eigener Auftrag (für "
        "Frequency, RFMR und die Kosten je Auftrag)."
    ),
    "order_cost_assumed": (
        "Je Auftrag wurden {cost:euro} Abwicklungskosten abgezogen, bei {count:int} "
        "{count:Auftrag|Aufträgen} zusammen {total:euro} (DB II)."
    ),
    "return_cost_assumed": (
        "Je retourniertem Auftrag wurden {cost:euro} Bearbeitungskosten abgezogen, bei "
        "{count:int} {count:Retoure|Retouren} zusammen {total:euro} (DB II)."
    ),
    "contact_cost_assumed": (
        "Werbekontakte wurden mit den Kosten je Art aus dieser Einstellung bewertet, zusammen "
        "{total:euro} (DB III)."
    ),
    "write_error": "Datei '{path}' kann nicht geschrieben werden: {detail}",
    "package_part_too_large": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' wäre entpackt {size} groß, "
        "erlaubt sind höchstens {limit}. Die Datei ist beschädigt oder manipuliert (Zip-Bombe). "
        "Bitte die Mappe in Excel öffnen, prüfen und neu speichern."
    ),
    "package_ratio": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' ist {ratio}-fach gepackt "
        "(entpackt {size}), echte Excel-Blätter höchstens {limit}-fach. Die Datei ist "
        "beschädigt oder manipuliert (Zip-Bombe). Bitte die Mappe in Excel öffnen, prüfen und "
        "neu speichern."
    ),
    "package_size_mismatch": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' ist größer als im "
        "Inhaltsverzeichnis der Datei angegeben. Die Datei ist beschädigt oder manipuliert. "
        "Bitte die Mappe in Excel öffnen, prüfen und neu speichern."
    ),
    "package_unsafe_name": (
        "Die Mappe '{path}' wird nicht geöffnet: sie enthält einen Teil mit dem unzulässigen "
        "Namen '{part}' (ein Pfad außerhalb der Mappe). Excel erzeugt solche Teile nie; die Datei "
        "ist manipuliert. Bitte die Daten in eine neue Mappe aus workbook_template.xlsm kopieren."
    ),
    "package_duplicate_part": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' steht mehrfach in der Datei, "
        "sodass unklar ist, welcher gilt. Die Datei ist beschädigt oder manipuliert. Bitte die "
        "Mappe in Excel öffnen, prüfen und neu speichern."
    ),
    "package_dtd": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' enthält eine "
        "Dokumenttyp-Deklaration (DTD) oder Entitäten. Excel schreibt so etwas nie; die Datei ist "
        "manipuliert. Bitte die Daten in eine neue Mappe aus workbook_template.xlsm kopieren."
    ),
    "package_damaged": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' ist beschädigt und lässt sich "
        "nicht entpacken. Bitte die Mappe in Excel öffnen, prüfen und neu speichern."
    ),
    "package_compression": (
        "Die Mappe '{path}' wird nicht geöffnet: der Teil '{part}' ist mit einem Verfahren "
        "gepackt, das Excel nicht verwendet. Bitte die Mappe in Excel öffnen und neu speichern."
    ),
    "unknown_setting": (
        "Die Einstellung '{column}' ist unbekannt. Bitte den Namen prüfen (siehe Blatt "
        "Einstellungen)."
    ),
    # Predictive customer value (BG/NBD + Gamma-Gamma): why there is no forecast.
    "clv_no_repeat_purchases": (
        "Keine Prognose: kein Kunde hat an einem zweiten Tag gekauft. Das Kaufmodell (BG/NBD) "
        "braucht Wiederholungskäufe; bitte einen längeren Zeitraum auswerten."
    ),
    "clv_too_few_repeat": (
        "Keine Prognose: nur {count} {count:Kunde hat|Kunden haben} an mehr als einem Tag gekauft, "
        "nötig sind "
        "mindestens {minimum}. Bitte einen längeren Zeitraum oder mehr Kunden auswerten."
    ),
    "clv_non_positive_spend": (
        "Keine Prognose: nur {count} {count:Kunde|Kunden} mit Wiederholungskauf {count:hat|haben} "
        "einen positiven "
        "Umsatz je Kauftag, nötig sind mindestens {minimum}. Das Ausgabenmodell (Gamma-Gamma) "
        "braucht positive Beträge."
    ),
    "clv_zero_spend_left_out": (
        "{count} {count:Kunde|Kunden} mit Wiederholungskauf, aber ohne positiven Umsatz an "
        "{count:seinen|ihren} weiteren Kauftagen, {count:ist|sind} nicht in das Ausgabenmodell "
        "(Gamma-Gamma) eingegangen; {count:sein|ihr} erwarteter Umsatz je Kauf mischt "
        "{count:seinen|ihren} Umsatz von 0 mit dem Durchschnitt aller Kunden."
    ),
    "clv_not_converged": (
        "Keine Prognose: die Schätzung des {model} ist nicht konvergiert. Die Daten passen "
        "nicht zum Modell; bitte Zeitraum und Stichtag prüfen."
    ),
    "clv_param_out_of_range": (
        "Keine Prognose: die Schätzung des {model} liefert Parameter außerhalb von 0,000001 "
        "bis 1.000.000 ({params:pairs}). Die Daten passen nicht zum Modell (typisch: kaum ein Kunde "
        "wandert sichtbar ab, alle kaufen im gleichen Takt oder alle Beträge sind gleich)."
    ),
    "clv_hessian_not_definite": (
        "Keine Prognose: die Schätzung des {model} ist nicht eindeutig (Hesse-Matrix nicht "
        "positiv definit; {params:pairs}). Die Daten enthalten zu wenig Information für das Modell."
    ),
    "clv_q_not_above_one": (
        "Keine Prognose: im Ausgabenmodell (Gamma-Gamma) ist q = {q} nicht größer als 1; "
        "dann existiert kein mittlerer Umsatz je Kauf. Die Umsätze streuen zu stark."
    ),
    "clv_not_finite": (
        "Keine Prognose: die Berechnung ergab keinen endlichen Wert. Die Daten liegen außerhalb "
        "dessen, was das Modell rechnen kann; bitte Zeitraum und Beträge prüfen."
    ),
    "clv_db_default_ratio": (
        "{count} {count:Kunde hat|Kunden haben} keinen Umsatz aus Käufen, aus dem sich "
        "{count:seine|ihre} DB-Quote ablesen ließe; für {count:seinen|ihren} Prognose-DB gilt die Wareneinsatzquote von {rate:pct}."
    ),
    "targeting_without_forecast": (
        "Die Ansprache soll nach Prognose-DB ordnen, es gibt aber keine Prognose; die Liste "
        "folgt dem Kundenwert-Rang."
    ),
    "clv_holdout_too_short": (
        "Keine Modellprüfung: der Zeitraum ist zu kurz, um einen Teil zum Prüfen der Prognose "
        "zurückzuhalten (nötig sind mindestens 8 Wochen)."
    ),
    "clv_holdout_refused": "Keine Modellprüfung auf dem ersten Teil des Zeitraums. {reason}",
    "clv_holdout_end": (
        "Das Ende des Prüfzeitraums ({holdout_end}) muss nach dem Stichtag ({reference_date}) "
        "liegen."
    ),
}

CLV_MODEL_NAMES: dict[str, str] = {
    "bgnbd": "Kaufmodells (BG/NBD)",
    "gamma_gamma": "Ausgabenmodells (Gamma-Gamma)",
}


class _GermanFormatter(string.Formatter):
    """``str.format`` that writes the raw values of a problem the German way.

    Core hands over plain data (numbers, dates, pairs); how they read is the sentence's business:
    a placeholder names its form after the colon (``{total:euro}``, ``{rate:pct1}``,
    ``{count:int}``), and without one a date reads ``30.06.2024`` and a float ``1,5`` (four
    significant digits, :func:`format_number`); anything else is ``str``. Forms:
    ``euro``, ``int`` (thousands point), ``pct``/``pct1`` (0 or 1 decimal), ``pct6`` (a share as typed: 20,5 %), ``dec`` (every
    significant digit, :func:`format_decimal`), ``num6`` (six significant digits, as a setting
    is printed back), ``pairs`` (``r = 0,2425, alpha = 4,414``). ``{count:Zeile liegt|Zeilen
    liegen}`` picks the singular words for a count of 1 and the plural otherwise.
    """

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            singular, plural = format_spec.split("|", 1)
            return singular if _is_one(value) else plural
        form = _FORMS.get(format_spec)
        if form is not None:
            return form(value)
        if not format_spec:
            if isinstance(value, dt.date):
                return format_date(value)
            if isinstance(value, float):
                return format_number(value)
        return super().format_field(value, format_spec)


def _pairs(value: Any) -> str:
    return ", ".join(f"{name} = {format_number(number)}" for name, number in value)


_FORMS: dict[str, Callable[[Any], str]] = {
    "euro": lambda v: format_euro(v),
    "int": lambda v: format_int(v),
    "pct": lambda v: format_percent(v),
    "pct1": lambda v: format_percent(v, 1),
    # A share as typed in the settings: 0.205 -> "20,5 %", 0.05 -> "5 %".
    "pct6": lambda v: format_number(v * 100, 6) + " %",
    "dec": lambda v: format_decimal(v),
    "num6": lambda v: format_number(v, 6),
    "pairs": _pairs,
}
_FORMATTER = _GermanFormatter()


def _is_one(value: object) -> bool:
    """Whether a count (int, numpy integer, or its text ``"1"``) is exactly one."""
    if isinstance(value, bool):
        return False
    try:
        return float(str(value)) == 1
    except ValueError:
        return False


def message(code: str, **params: object) -> str:
    """Render the German message for a problem code from its raw parameters.

    Numbers and dates are formatted here, by the placeholder's form (see
    :class:`_GermanFormatter`), never by the code that found the problem; singular and plural
    follow the count.
    """
    return fill(MESSAGES[code], **params)


def fill(template: str, **params: object) -> str:
    """Any catalogue sentence with its raw parameters, formed as :func:`message` forms them."""
    return _FORMATTER.format(template, **params)


def location(table: str, row: int | None, column: str | None) -> str:
    """Return ``Transaktionen, Zeile 5, Spalte Datum`` (parts left out when unknown)."""
    parts = [table] if table else []
    if row is not None:
        parts.append(f"Zeile {row}")
    if column:
        kind = "Einstellung" if table == TABLE_NAMES["settings"] else "Spalte"
        parts.append(f"{kind} '{column}'" if kind == "Einstellung" else f"{kind} {column}")
    return ", ".join(parts)


def error_summary(lines: list[str]) -> str:
    """Return the first problem line and how many more there are."""
    if not lines:
        return "Unbekannter Eingabefehler."
    if len(lines) == 1:
        return lines[0]
    return f"{lines[0]} (und {len(lines) - 1} weitere Probleme)"


SEVERITY = {"error": "Fehler", "warning": "Hinweis", "note": "Annahme"}

IO_DETAILS: dict[str, str] = {
    "missing": "Die Datei existiert nicht. Bitte Pfad prüfen.",
    "not_zip": (
        "Die Datei ist keine Excel-Mappe (kein gültiges .xlsx/.xlsm-Paket); vielleicht nur "
        "umbenannt oder unvollständig kopiert. Bitte in Excel öffnen und neu speichern."
    ),
    "no_permission": "Keine Leserechte für diese Datei. Bitte Rechte prüfen oder Datei kopieren.",
    "name_too_long": "Der Dateiname ist zu lang. Bitte die Datei kürzer benennen.",
    "os_other": "Das Betriebssystem meldet einen Fehler beim Lesen ({detail}).",
    "suffix": "Unbekanntes Dateiformat. Erlaubt sind .xlsx, .xlsm, .csv und .parquet.",
    "no_table": (
        "Die Mappe hat mehrere Blätter, aber keine Tabelle und kein Blatt '{table}'. Bitte die "
        "Daten als Excel-Tabelle oder Blatt mit dem Namen '{table}' anlegen."
    ),
    "no_transactions": (
        "Keine Tabelle 'Transaktionen' gefunden. Bitte die Daten als Excel-Tabelle oder Blatt "
        "mit dem Namen 'Transaktionen' anlegen."
    ),
    "not_regular": (
        "Das ist keine gewöhnliche Datei (sondern z. B. ein Ordner, eine Pipe oder ein Gerät). "
        "Bitte den Pfad einer Datei angeben."
    ),
    "empty_file": "Die Datei ist leer (0 Byte). Bitte die Datei erneut exportieren.",
    "toml": "Die Datei ist keine gültige TOML-Datei: Fehler {where}. {hint}",
    "toml_value_hint": (
        'Texte und Datumsangaben gehören in Anführungszeichen, z. B. Stichtag = "30.06.2024".'
    ),
    "toml_key_hint": (
        'Namen mit Leerzeichen gehören in Anführungszeichen, z. B. "Anzahl Klassen" = 5.'
    ),
    "toml_at": "in Zeile {line}, Spalte {column}",
    "toml_end": "am Dateiende",
    "toml_encoding": "Die Einstellungsdatei ist nicht UTF-8-kodiert. Bitte als UTF-8 speichern.",
    "no_header": (
        "Die Datei enthält keine Überschriftenzeile. Bitte in der ersten Zeile die Überschriften "
        "angeben (Kundennr, Datum, Umsatz)."
    ),
    "not_parquet": "Die Datei ist keine lesbare Parquet-Datei ({detail}).",
    "not_csv": "Die Datei ist keine lesbare CSV-Datei ({detail}).",
    "utf16_without_bom": (
        "Die Datei scheint UTF-16-kodiert zu sein, aber ohne Byte-Order-Mark (BOM). Bitte als "
        "'CSV UTF-8' speichern."
    ),
    "encoding": (
        "Die Kodierung ist weder UTF-8 noch Windows-1252 (cp1252): das Byte {byte} an Stelle "
        "{position} passt zu keiner der beiden. Bitte die Datei als 'CSV UTF-8' speichern."
    ),
    "broken_xml": (
        "Die Mappe enthält fehlerhaftes XML ({detail}). Bitte die Mappe in Excel öffnen und neu "
        "speichern."
    ),
    "bad_table_ref": (
        "Die Excel-Tabelle '{table}' hat den Bereich '{ref}', der kein gültiger Zellbereich ist. "
        "Bitte die Mappe in Excel öffnen und neu speichern."
    ),
}

WRITE_DETAILS: dict[str, str] = {
    "no_space": "Der Datenträger ist voll. Bitte Platz schaffen oder einen anderen Ort wählen.",
    "too_large": (
        "Die Datei überschreitet die Größe, die der Speicherort zulässt. Bitte einen anderen "
        "Ort wählen."
    ),
    "read_only": (
        "Der Ordner ist schreibgeschützt oder Sie haben dort keine Schreibrechte. Bitte einen "
        "anderen Ordner wählen."
    ),
    "is_folder": "Der Pfad ist ein Ordner. Bitte einen Dateinamen mit Endung angeben.",
    "no_folder": "Der Ordner existiert nicht. Bitte den Pfad prüfen oder den Ordner anlegen.",
    "name_too_long": "Der Dateiname ist zu lang. Bitte einen kürzeren Namen wählen.",
    "cannot_create": (
        "In diesem Ordner lassen sich keine Dateien anlegen (z. B. ein Systemordner). Bitte "
        "einen anderen Ordner wählen."
    ),
    "appeared": (
        "Die Datei ist während der Berechnung entstanden (ein anderer Lauf oder ein Kollege) und "
        "wird ohne --force nicht ersetzt; das Ergebnis wurde verworfen. Bitte erneut starten, "
        "mit anderem Namen oder mit --force."
    ),
    "not_a_file": (
        "Am Zielort steht keine gewöhnliche Datei (z. B. ein Gerät oder eine Pipe). Bitte einen "
        "anderen Dateinamen wählen."
    ),
    "other": "Das Betriebssystem meldet: {detail}",
}

# --- Progress phases (CLI progress line, Excel status bar) ------------------------------------

PHASES: dict[str, str] = {
    "read": "Lese Eingaben …",
    "validate": "Prüfe Eingaben …",
    "rfm": "Berechne RFM …",
    "rfmr": "Berechne RFMR-Punkte …",
    "segments": "Ordne Segmente zu …",
    "margin": "Berechne Deckungsbeiträge …",
    "value": "Berechne Kundenwert und Rang …",
    "forecast": "Schätze die Prognose (BG/NBD, Gamma-Gamma) …",
    "pareto": "Berechne Pareto und Walkurve …",
    "write": "Schreibe Ergebnisse …",
    "done": "Fertig.",
}

# --- Settings: labels, explanations, choice words ---------------------------------------------

SETTING_LABELS: dict[str, str] = {
    "reference_date": "Stichtag",
    "scoring_method": "Bewertungsmethode",
    "n_classes": "Anzahl Klassen",
    "recency_thresholds": "Grenzen Recency (Tage)",
    "frequency_thresholds": "Grenzen Frequency (Aufträge)",
    "monetary_thresholds": "Grenzen Monetary (Euro)",
    "frequency_basis": "Frequency zählt",
    "monetary_basis": "Monetary als",
    "rfmr_start": "RFMR Startwert",
    "rfmr_recency_bands": "RFMR Punkte letzter Kauf (Monate)",
    "rfmr_frequency_points": "RFMR Punkte je Kauf",
    "rfmr_frequency_window_months": "RFMR Zeitraum Käufe (Monate)",
    "rfmr_monetary_last_n": "RFMR Anzahl letzte Käufe",
    "rfmr_monetary_bands": "RFMR Punkte Durchschnittswert (Euro)",
    "rfmr_returns_basis": "RFMR Retouren als",
    "rfmr_returns_bands": "RFMR Punkte Retouren (Anzahl)",
    "rfmr_return_ratio_bands": "RFMR Punkte Retourenquote",
    "rfmr_contact_points": "RFMR Punkte je Werbekontakt",
    "rfmr_weights": "RFMR Gewichte (R; F; M; Retouren; Kontakte)",
    "segment_preset": "Segmentvorlage",
    "segment_names": "Segmentnamen",
    "segment_rules": "Segmentregeln",
    "segment_fallback": "Segment ohne Treffer",
    "cogs_rate": "Wareneinsatzquote",
    "order_handling_cost": "Kosten je Auftrag (Euro)",
    "return_handling_cost": "Kosten je Retoure (Euro)",
    "contact_costs": "Kosten je Werbekontakt (Euro)",
    "group_fixed_costs": "Fixkosten je Kundengruppe (Euro)",
    "ranking_level": "DB-Stufe für Rangfolge",
    "value_weights": "Gewichte Kundenwert (RFMR; DB)",
    "clv_retention": "CLV Bindungsrate",
    "clv_discount_rate": "CLV Zinssatz",
    "clv_include_current": "CLV mit laufender Periode",
    "forecast_enabled": "Prognose berechnen",
    "forecast_months": "Prognose Monate",
    "forecast_discount_rate": "Prognose Zinssatz (jährlich)",
    "abc_measure": "ABC nach",
    "abc_basis": "ABC-Grenzen als",
    "abc_value_limits": "ABC-Grenzen Wertanteil",
    "abc_customer_limits": "ABC-Grenzen Kundenanteil",
    "dilemma_worst_share": "Dilemma: schlechteste Kunden (Anteil)",
    "dilemma_revenue_classes": "Dilemma: Umsatzklassen",
    "scenario_steps": "Szenarien: Anteile schlechteste Kunden",
    "budget": "Budget (Euro)",
    "cost_per_contact": "Kosten je Ansprache (Euro)",
    "targeting_order": "Ansprache nach",
}

SETTING_HELP: dict[str, str] = {
    "reference_date": (
        "Auswertungsdatum. Spätere Zeilen werden ignoriert und gemeldet. Leer = letztes "
        "Transaktionsdatum (nie das heutige Datum)."
    ),
    "scoring_method": (
        "Wertgrenzen = Quantil-Grenzen, gleiche Werte gleiche Klasse (wie R rfm); Ränge = gleich "
        "große Klassen, Gleichstand nach Kundennummer; Feste Grenzen = die Grenzen unten; "
        "Quartile = wie pymc-marketing."
    ),
    "n_classes": "Anzahl der Klassen je Kriterium (2 bis 10); höchste Klasse = bester Wert.",
    "recency_thresholds": (
        "Nur bei festen Grenzen: Tage seit dem letzten Kauf, aufsteigend, mit ';' getrennt."
    ),
    "frequency_thresholds": "Nur bei festen Grenzen: Anzahl Aufträge, aufsteigend.",
    "monetary_thresholds": "Nur bei festen Grenzen: Nettoumsatz in Euro, aufsteigend.",
    "frequency_basis": (
        "Aufträge = verschiedene Auftragsnummern mit positivem Umsatz; Kauftage = mehrere "
        "Aufträge an einem Tag zählen einmal."
    ),
    "monetary_basis": "Summe = Nettoumsatz; Durchschnitt = Nettoumsatz je Kauftag.",
    "rfmr_start": "Punkte, mit denen jeder Kunde mit Kauf beginnt.",
    "rfmr_recency_bands": (
        "Monate seit dem letzten Kauf (Tage / 30,4375) -> Punkte; Bänder von ≤ x < bis, "
        "das letzte 'ab …'."
    ),
    "rfmr_frequency_points": "Punkte je Kauf (Auftrag) im Zeitraum unten.",
    "rfmr_frequency_window_months": "Nur Käufe der letzten so vielen Monate zählen für F.",
    "rfmr_monetary_last_n": "Durchschnittswert über die so vielen letzten Käufe.",
    "rfmr_monetary_bands": "Durchschnittswert der letzten Käufe in Euro -> Punkte.",
    "rfmr_returns_basis": "Anzahl = retournierte Aufträge; Quote = Anteil retournierter Aufträge.",
    "rfmr_returns_bands": "Anzahl retournierter Aufträge -> Punkte (Minuspunkte).",
    "rfmr_return_ratio_bands": "Retourenquote (0,1 = 10 %) -> Punkte, nur bei 'Quote'.",
    "rfmr_contact_points": (
        "Punkte je Werbekontakt nach dem letzten Kauf, je Art. Jede Art im Blatt "
        "Werbekontakte muss hier stehen."
    ),
    "rfmr_weights": "Gewichte der fünf Kriterien; 1 = ungewichtet.",
    "segment_preset": (
        "Automatisch (pymc-marketing bei Quartilen, sonst R rfm aktuell), R rfm aktuell, R rfm "
        "alt (5 Klassen), pymc-marketing (4 Klassen) oder Eigene Regeln (Tabelle Segmentregeln; "
        "erste passende Regel gewinnt). Andere Klassenzahlen werden auf die Skala der Vorlage "
        "umgerechnet: aufrunden(Klasse × 5 / Klassen)."
    ),
    "segment_names": "Deutsch oder Original (englische Namen der Vorlagen).",
    "segment_rules": "Eigene Regeln stehen in der Tabelle Segmentregeln.",
    "segment_fallback": "Name für Kunden, auf die keine Regel passt (leer = 'Sonstige').",
    "cogs_rate": "Wareneinsatz in % des Umsatzes, wo die Spalte Wareneinsatz fehlt oder leer ist.",
    "order_handling_cost": "Auftragsabwicklung je Auftrag mit Umsatz (DB II).",
    "return_handling_cost": "Bearbeitung je retourniertem Auftrag (DB II).",
    "contact_costs": "Kosten je Werbekontakt nach Art, z. B. 'Mailing: 0,8' (DB III).",
    "group_fixed_costs": (
        "Fixkosten je Kundengruppe, z. B. 'Großhandel: 5000'; verteilt nach Nettoumsatz (DB IV)."
    ),
    "ranking_level": "Welche DB-Stufe (DB I bis DB IV) Rangfolge, Pareto und Walkurve bestimmt.",
    "value_weights": (
        "Kundenwert 0–100 = Gewichte × Prozentrang (RFMR-Punkte; DB), wie PERCENTRANG.INKL."
    ),
    "clv_retention": "Wahrscheinlichkeit, dass ein Kunde ein weiteres Jahr bleibt (0,8 = 80 %).",
    "clv_discount_rate": "Jährlicher Kalkulationszins (0,1 = 10 %).",
    "clv_include_current": "Ja = CLV zählt den DB des laufenden Jahres mit (m × (1+i)/(1+i−r)).",
    "forecast_enabled": (
        "Ja = Kaufmodell (BG/NBD) und Ausgabenmodell (Gamma-Gamma) schätzen: Wahrscheinlichkeit "
        "aktiv, erwartete Käufe, Umsatz und DB der nächsten Monate je Kunde."
    ),
    "forecast_months": "Zeitraum der Prognose in Monaten (1 bis 120).",
    "forecast_discount_rate": (
        "Jährlicher Zins, mit dem künftige Umsätze und DB abgezinst werden (0,1 = 10 %; "
        "monatlich: (1 + Zins)^(1/12) − 1)."
    ),
    "abc_measure": "Umsatz oder DB (gewählte Stufe) als Grundlage der ABC-Klassen.",
    "abc_basis": "Wertanteil = kumulierter Anteil am Umsatz/DB; Kundenanteil = Anteil der Kunden.",
    "abc_value_limits": "A bis 80 %, B bis 95 % des kumulierten Werts (vor dem Kunden gemessen).",
    "abc_customer_limits": "A = beste 20 %, B = nächste bis 50 % der Kunden.",
    "dilemma_worst_share": "Dilemma-Kunden stammen aus den so schlechtesten Kunden nach DB.",
    "dilemma_revenue_classes": "… und gehören nach Umsatz zu diesen ABC-Klassen (z. B. 'A').",
    "scenario_steps": (
        "Was wäre, wenn die schlechtesten 5; 10; 20; 30 % (nach DB) wegfielen? Höchstens 7 Anteile."
    ),
    "budget": "Budget für gezielte Ansprache in Euro.",
    "cost_per_contact": "Kosten je angesprochenem Kunden; Budget / Kosten = Zahl der Kunden.",
    "targeting_order": (
        "Kundenwert = zuerst die Kunden mit dem besten Rang; Prognose-DB = zuerst die Kunden mit "
        "dem höchsten abgezinsten DB der nächsten Monate (braucht die Prognose)."
    ),
}

CHOICES: dict[str, dict[object, str]] = {
    "scoring_method": {
        "value": "Wertgrenzen",
        "rank": "Ränge",
        "fixed": "Feste Grenzen",
        "quartile": "Quartile",
    },
    "frequency_basis": {"orders": "Aufträge", "days": "Kauftage"},
    "monetary_basis": {"total": "Summe", "average": "Durchschnitt"},
    "rfmr_returns_basis": {"count": "Anzahl", "ratio": "Quote"},
    "segment_preset": {
        "auto": "Automatisch",
        "r_current": "R rfm aktuell",
        "r_legacy": "R rfm alt",
        "pymc": "pymc-marketing",
        "custom": "Eigene Regeln",
    },
    "segment_names": {"german": "Deutsch", "original": "Original"},
    "ranking_level": {"db1": "DB I", "db2": "DB II", "db3": "DB III", "db4": "DB IV"},
    "abc_measure": {"revenue": "Umsatz", "db": "DB"},
    "abc_basis": {"value": "Wertanteil", "customers": "Kundenanteil"},
    "clv_include_current": {True: "ja", False: "nein"},
    "forecast_enabled": {True: "ja", False: "nein"},
    "targeting_order": {"value": "Kundenwert", "forecast_db": "Prognose-DB"},
}

SETTING_DETAILS: dict[str, str] = {
    "finite": "Grenzen müssen endliche Zahlen sein.",
    "ascending": "Die Grenzen müssen streng aufsteigend sein, z. B. 30; 90; 180; 365.",
    "shares_ascending": (
        "Die Anteile müssen streng aufsteigend sein, z. B. 0,05; 0,1; 0,2 oder 5 %; 10 %; 20 %."
    ),
    "threshold_count": "Bitte 1 bis 9 Grenzen angeben, mit ';' getrennt.",
    "bands_empty": (
        "Die Punkttabelle ist leer. Bitte mindestens ein Band angeben, z. B. 'ab 0: 10'."
    ),
    "bands_start": "Das erste Band muss bei 0 beginnen.",
    "bands_open": "Nur das letzte Band darf und muss nach oben offen sein ('ab …').",
    "ascending_band": "Band {lower:g}–{upper:g}: die obere Grenze muss größer als die untere sein.",
    "bands_gap": (
        "Lücke zwischen {a:g} und {b:g}: jedes Band muss dort beginnen, wo das vorige endet."
    ),
    "bands_overlap": (
        "Bänder überschneiden sich zwischen {a:g} und {b:g}: bitte lückenlos aneinanderreihen."
    ),
    "abc_limits": "Bitte zwei aufsteigende Anteile zwischen 0 und 1 angeben, z. B. 0,8; 0,95.",
    "shares": "Bitte Anteile zwischen 0 und 1 angeben, z. B. 0,05; 0,1; 0,2 oder 5 %; 10 %; 20 %.",
    "scenario_count": (
        "{count} {count:Szenario|Szenarien} angegeben; die Übersicht hat Platz für höchstens {most}. Bitte "
        "höchstens {most} Anteile angeben, z. B. 0,05; 0,1; 0,2; 0,3."
    ),
    "weights": "Gewichte dürfen nicht negativ sein, und mindestens eines muss größer als 0 sein.",
    "negative_costs": "Kosten dürfen nicht negativ sein.",
    "cost_limit": "Kosten über 1 Billion Euro sind unplausibel; bitte den Betrag prüfen.",
    "rules_missing": "Eigene Segmentregeln gewählt, aber keine Regeln angegeben.",
    "rule_range": "Segmentregel '{name}': Klassen müssen zwischen 1 und {top} liegen (von ≤ bis).",
    "band_syntax": ("'{text}' ist kein Band. Bitte so angeben: '0-6: 40; 6-9: 25; ab 24: -15'."),
    "contact_syntax": "'{text}' ist keine Kontaktart mit Punkten. Beispiel: 'Mailing: -2'.",
    "serial_date": (
        "'{value}' ist kein Datum zwischen 01.01.1900 und 31.12.2099. Bitte als TT.MM.JJJJ "
        "eingeben."
    ),
    "date_range": "Der Stichtag muss zwischen 01.01.1900 und 31.12.2099 liegen.",
    "ambiguous_number": (
        "'{text}' ist mehrdeutig: der Punkt kann Tausender trennen oder Dezimalstellen. Bitte "
        "ohne Tausenderpunkt schreiben, z. B. 1000 oder 1000,50."
    ),
    "ambiguous_percent": (
        "'{text}' ist mehrdeutig: der Punkt kann Tausender trennen oder Dezimalstellen. Bitte "
        "ohne Tausenderpunkt und mit Dezimalkomma schreiben, z. B. '12,5 %'."
    ),
    "share_hint": "Anteile werden als Dezimalzahl angegeben: für {percent:num6} % bitte "
    "{share:num6} oder '{percent:num6} %' eintragen.",
}

#: How the Einstellungen sheet shows the segment rules (they live in their own table).
SEGMENT_RULES_SHOWN = "{count} {count:Regel|Regeln} (Tabelle Segmentregeln)"


_PYDANTIC_DETAILS = {
    "greater_than_equal": "muss mindestens {ge:num6} sein.",
    "less_than_equal": "darf höchstens {le:num6} sein.",
    "greater_than": "muss größer als {gt:num6} sein.",
    "less_than": "muss kleiner als {lt:num6} sein.",
    "int_parsing": "muss eine ganze Zahl sein.",
    "int_from_float": "muss eine ganze Zahl sein.",
    "float_parsing": "muss eine Zahl sein.",
    "date_parsing": "ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT).",
    "date_from_datetime_parsing": "ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT).",
    "date_from_datetime_inexact": "darf keine Uhrzeit enthalten.",
    "date_type": "ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT).",
    "extra_forbidden": "ist unbekannt.",
    "tuple_type": "muss eine Liste von Zahlen sein, mit ';' getrennt.",
    "bool_parsing": "muss ja oder nein sein.",
}


def setting_detail(kind: str, value: object, params: Mapping[str, object]) -> str:
    """One German detail sentence for a bad setting value.

    ``kind`` is pydantic's error type; ``params`` its context as raw values (bounds as numbers,
    written here with six significant digits), ``allowed`` for a choice, ``error`` for our own
    validators' sentences.
    """
    if kind == "literal_error":
        return f"'{value}' ist nicht erlaubt. Erlaubt sind: {params['allowed']}."
    if kind == "value_error":
        return str(params["error"])
    template = _PYDANTIC_DETAILS.get(kind)
    if template is None:
        return f"Der Wert '{value}' ist ungültig."
    return f"Der Wert '{setting_value(value)}' " + _FORMATTER.format(template, **params)


def setting_value(value: object) -> str:
    """A bad setting value as the user reads numbers: ``0,6``, never ``1e+20``.

    Large numbers keep the digits they were typed with (``-1e30`` is a one and 30 zeros, not
    the binary double's ``...19884624838656``).
    """
    if not isinstance(value, float) or not math.isfinite(value):
        return str(value)
    if abs(value) >= 1e15:
        return format(decimal.Decimal(repr(value)), "f")
    return format_number(value, 15)


# --- Result columns (Kundenwert sheet, exports) ------------------------------------------------


DB_LEVELS = {"db1": "DB I", "db2": "DB II", "db3": "DB III", "db4": "DB IV"}

DIMENSIONS = {"recency": "Recency (Tage)", "frequency": "Frequency", "monetary": "Monetary (Euro)"}
CLOSED = {"left": "von ≤ x < bis", "right": "von < x ≤ bis", "both": "von ≤ x ≤ bis"}

# --- Result sheets: names, block titles, column headers (layout in report.py) ------------------
RESULT_SHEETS: dict[str, str] = {
    "customers": "Kundenwert",
    "segments": "Segmente",
    "pareto": "Pareto",
    "dilemma": "Dilemma",
    "targeting": "Ansprache",
    "overview": "Übersicht",
    "problems": "Prüfprotokoll",
}

#: Other sheets of the template (the input sheets are named like their tables).
SHEET_NAMES: dict[str, str] = {"guide": "Anleitung", "own_figures": "Kennzahlen"}
YES = "ja"

BLOCK_TITLES: dict[str, str] = {
    "customers": "Kundenwert je Kunde",
    "segments": "Segmente",
    "thresholds": "Klassengrenzen RFM",
    "pareto": "Pareto nach DB (Walkurve)",
    "pareto_revenue": "Pareto nach Umsatz",
    "deciles": "Dezile nach DB",
    "deciles_revenue": "Dezile nach Umsatz",
    "dilemma": "Dilemma-Kunden",
    "targeting": "Gezielte Ansprache",
    "sentences": "Übersicht",
    "facts": "Kennzahlen",
    "scenarios": "Was wäre, wenn …",
    "forecast_model": "Prognosemodell",
    "forecast_check": "Modellprüfung",
    "forecast_curve": "Modellprüfung je Woche",
    "problems": "Prüfprotokoll",
}

RESULT_HEADERS: dict[str, dict[str, str]] = {
    "customer": {
        "customer_id": "Kundennr",
        "name": "Name",
        "group": "Kundengruppe",
        "segment": "Segment",
        "value_rank": "Rang",
        "value_score": "Kundenwert (0–100)",
        "abc_class": "ABC",
        "dilemma": "Dilemma",
        "rfm_code": "RFM-Code",
        "r_score": "R (5 = jüngst)",
        "f_score": "F (5 = häufigst)",
        "m_score": "M (5 = höchster Umsatz)",
        "rfmr_points": "RFMR-Punkte",
        "recency_days": "Tage seit letztem Kauf",
        "orders": "Aufträge",
        "first_purchase": "Erster Kauf",
        "last_purchase": "Letzter Kauf",
        "gross_revenue": "Bruttoumsatz",
        "net_revenue": "Nettoumsatz",
        "db1": "DB I",
        "db2": "DB II",
        "db3": "DB III",
        "db4": "DB IV",
        "ranking_ratio": "DB-Quote (Rangstufe)",
        "db_per_year": "DB je Jahr",
        "clv": "CLV",
        "rfmr_recency": "Punkte Recency",
        "rfmr_frequency": "Punkte Frequency",
        "rfmr_monetary": "Punkte Monetary",
        "rfmr_returns": "Punkte Retouren",
        "rfmr_contacts": "Punkte Werbekontakte",
        "purchases_in_window": "Käufe im Zeitraum",
        "avg_last_purchases": "Ø letzte Käufe",
        "returned_orders": "Retouren",
        "contacts_since_last_purchase": "Werbekontakte seit letztem Kauf",
        "cost_of_goods": "Wareneinsatz",
        "shipping_cost": "Versand",
        "order_costs": "Auftrags-/Retourenkosten",
        "customer_costs": "Vertriebs-/Marketing-/Servicekosten",
        "contact_costs": "Werbekosten",
        "fixed_costs": "Fixkostenanteil",
        "p_alive": "P(aktiv)",
        "expected_purchases": "Prognose Käufe",
        "expected_revenue": "Prognose Umsatz",
        "clv_revenue": "Prognose-CLV Umsatz (abgezinst)",
        "clv_db": "Prognose-DB (abgezinst)",
    },
    "segment": {
        "segment": "Segment",
        "customers": "Kunden",
        "customer_share": "Anteil Kunden",
        "net_revenue": "Nettoumsatz",
        "revenue_share": "Anteil Umsatz",
        "mean_rfmr_points": "Ø RFMR-Punkte",
        "db": "DB (Rangstufe)",
        "db_share": "Anteil DB",
        "mean_value_score": "Ø Kundenwert",
    },
    "threshold": {
        "dimension": "Kriterium",
        "score": "Klasse",
        "lower": "von",
        "upper": "bis",
        "closed": "Grenzen",
        "customers": "Kunden",
    },
    "pareto": {
        "customer_share": "Anteil Kunden",
        "customers": "Kunden",
        "revenue_cum": "Umsatz kumuliert",
        "revenue_share": "Anteil Umsatz",
        "db_cum": "DB kumuliert",
        "db_share": "Anteil DB",
    },
    "decile": {
        "decile": "Dezil",
        "customers": "Kunden",
        "revenue": "Umsatz",
        "revenue_share": "Anteil Umsatz",
        "revenue_share_cum": "Umsatz kumuliert",
        "db": "DB",
        "db_share": "Anteil DB",
        "db_share_cum": "DB kumuliert",
    },
    "dilemma": {
        "customer_id": "Kundennr",
        "name": "Name",
        "segment": "Segment",
        "net_revenue": "Nettoumsatz",
        "revenue_share": "Anteil Umsatz",
        "db": "DB (Rangstufe)",
        "db_ratio": "DB-Quote",
        "price_increase": "Preiserhöhung bis DB 0",
        "value_rank": "Rang",
        "decision": "Entscheidung",
        "p_alive": "P(aktiv)",
        "clv_db": "Prognose-DB (abgezinst)",
    },
    "scenario": {
        "label": "Szenario",
        "customers_lost": "Kunden weg",
        "revenue_lost": "Umsatz weg",
        "revenue_lost_share": "Anteil Umsatz",
        "db_before": "DB vorher",
        "db_after": "DB nachher",
        "db_change": "Änderung DB",
        "db_change_share": "Änderung DB in %",
    },
    "target": {
        "value_rank": "Rang",
        "customer_id": "Kundennr",
        "name": "Name",
        "segment": "Segment",
        "value_score": "Kundenwert (0–100)",
        "net_revenue": "Nettoumsatz",
        "db": "DB (Rangstufe)",
        "p_alive": "P(aktiv)",
        "clv_db": "Prognose-DB (abgezinst)",
    },
    "problem": {
        "severity": "Art",
        "table": "Tabelle",
        "row": "Zeile",
        "column": "Spalte",
        "value": "Wert",
        "message": "Meldung",
    },
    "fact": {
        "label": "Kennzahl",
        "value": "Wert",
    },
    "sentence": {
        "text": "Kernaussagen",
    },
    "forecast_param": {"label": "Parameter", "value": "Wert", "reading": "Bedeutung"},
    "forecast_check": {
        "bucket": "Wiederholungskäufe vorher",
        "customers": "Kunden",
        "actual": "tatsächlich",
        "predicted": "erwartet",
    },
    "forecast_curve": {
        "week": "Woche",
        "actual": "tatsächlich (kumuliert)",
        "predicted": "erwartet (kumuliert)",
    },
}


# --- Command line ------------------------------------------------------------------------------

CLI: dict[str, str] = {
    "app": (
        "Kundenwert für Vertriebs- und Marketing-Controlling: RFM/RFMR-Punkte, "
        "Kundendeckungsbeiträge, Pareto und Walkurve.\n\n"
        "Beispiele:\n\n"
        "  kundenwert demo\n\n"
        "  kundenwert analyze umsaetze.csv --stichtag 2024-06-30 -o ergebnis.xlsx\n\n"
        "  kundenwert analyze umsaetze.csv --kunden kunden.csv --werbekontakte kontakte.csv "
        "-o Kundenwert.xlsm"
    ),
    "demo": "Beispieldaten erzeugen, auswerten und die Kernaussagen ausgeben.",
    "analyze": (
        "Transaktionen aus einer Datei (.xlsx, .xlsm, .csv, .parquet) auswerten und das "
        "Ergebnis schreiben; mit -o Mappe.xlsm eine Kopie der Vorlage mit gefüllten "
        "Eingabetabellen und berechneten Ergebnisblättern."
    ),
    "arg_source": "Datei mit den Transaktionen (.csv, .parquet) oder eine Mappe (.xlsx, .xlsm).",
    "opt_output": "Zieldatei (.xlsm); Standard: kundenwert_demo.xlsm im aktuellen Ordner.",
    "opt_output_analyze": (
        "Zieldatei: .xlsm (Kopie der Vorlage, in Excel neu berechenbar), .xlsx, .csv oder "
        ".parquet; Standard: <Name>_kundenwert.xlsx neben der Quelldatei."
    ),
    "opt_customers": (
        "Datei mit den Kundenstammdaten (.csv, .parquet oder eine Mappe mit Tabelle/Blatt Kunden "
        "oder nur einem Blatt)."
    ),
    "opt_contacts": (
        "Datei mit den Werbekontakten (.csv, .parquet oder eine Mappe mit Tabelle/Blatt "
        "Werbekontakte oder nur einem Blatt)."
    ),
    "custom_rules_xlsm": (
        "Eigene Segmentregeln (Segmentvorlage 'custom') können nicht in die Mappe übernommen "
        "werden. Bitte die Regeln auf dem Blatt Einstellungen in die Tabelle Segmentregeln "
        "eintragen oder eine .xlsx-Datei schreiben."
    ),
    "opt_reference_date": "Stichtag (TT.MM.JJJJ oder JJJJ-MM-TT); Standard: letztes Datum.",
    "opt_settings": "TOML-Datei mit Einstellungen (Namen wie auf dem Blatt Einstellungen).",
    "opt_method": "Bewertungsmethode: Wertgrenzen, Ränge, Feste Grenzen oder Quartile.",
    "opt_classes": "Anzahl Klassen je Kriterium (2 bis 10).",
    "opt_forecast": (
        "Prognose (BG/NBD + Gamma-Gamma) berechnen oder weglassen; überschreibt die Einstellung "
        "'Prognose berechnen'."
    ),
    "opt_forecast_months": "Zeitraum der Prognose in Monaten (1 bis 120).",
    "opt_forecast_rate": "Jährlicher Zins der Prognose, z. B. 0,1 für 10 %.",
    "opt_force": "Vorhandene Zieldatei überschreiben.",
    "opt_rows": "Anzahl Transaktionszeilen der Beispieldaten.",
    "opt_seed": "Startwert des Zufallsgenerators (gleicher Wert = gleiche Daten).",
    "not_workbook": (
        "'{path}': kundenwert {command} liest nur Mappen (.xlsx, .xlsm). Daten aus .csv- oder "
        ".parquet-Dateien wertet kundenwert analyze aus."
    ),
    "exists": "Die Datei '{path}' existiert bereits. Mit --force überschreiben oder -o angeben.",
    "bad_suffix": (
        "'{path}': {command} schreibt nur {allowed}. Bitte die Zieldatei so benennen "
        "(z. B. {example})."
    ),
    "stale_temp_removed": (
        "Hinweis: {count} liegengebliebene temporäre {count:Datei|Dateien} eines abgebrochenen "
        "Laufs entfernt: {names}"
    ),
    "same_file": "Eingabe und Ausgabe sind dieselbe Datei. Bitte eine andere Zieldatei angeben.",
    "written": "Ergebnis geschrieben: {path}",
    "problems_header": "{count} gefunden:",
    "headline": "Stichtag {reference_date}: {customers}, {rows} ausgewertet.",
    "unexpected": "Unerwarteter Fehler: {detail}. Mit --debug erneut starten und den Text melden.",
    "interrupted": "Abgebrochen.",
    "too_many_rows": (
        "Ein Excel-Blatt fasst höchstens {rows} Datenzeilen. Für größere Daten: kundenwert analyze "
        "DATEI.parquet (ohne Zeilengrenze)."
    ),
    "recompute": (
        "Eine Mappe aus der Vorlage ohne Excel neu berechnen – wie 'Neu berechnen' im Menüband. "
        "Schreibt immer in eine Kopie; alles andere in der Mappe bleibt unverändert."
    ),
    "arg_workbook": "Die Arbeitsmappe (.xlsm/.xlsx aus workbook_template.xlsm).",
    "opt_output_workbook": "Zieldatei; Standard: <Name>_berechnet.xlsm neben der Mappe.",
    "protocol_written": "Die Eingaben enthalten Fehler; das Prüfprotokoll steht in {path}.",
    "template": "Die Vorlage workbook_template.xlsm aus den Quellen bauen oder prüfen.",
    "template_build": "Vorlage bauen (gleiche Quellen ergeben dieselben Bytes).",
    "opt_template": "Pfad der Vorlage.",
    "opt_check": "Nur prüfen, ob die Datei dem entspricht, was die Quellen heute bauen.",
    "template_differs": "{path} entspricht nicht den Quellen; abweichende Teile: {parts}",
    "template_same": "{path} entspricht den Quellen.",
    "doctor": "Installation prüfen: Python, Pakete, xlwings-Version, Excel und die Mappe.",
    "arg_doctor_workbook": "Optional: eine Arbeitsmappe, deren VBA-Modul und xlwings.conf geprüft werden.",
}

DOCTOR: dict[str, str] = {
    "package": "kundenwert_xl",
    "xlwings": "xlwings (dieses Python)",
    "missing": "nicht installiert",
    "fix_xlwings": "python -m pip install xlwings=={version}",
    "pywin32": "pywin32",
    "fix_pywin32": "python -m pip install pywin32",
    "interpreter": "Python für die Funktionen",
    "interpreter_buttons": "Python für die Schaltflächen",
    "layer_sheet": "festgelegt in der Mappe, Blatt xlwings.conf, Schlüssel {key}",
    "layer_directory": "festgelegt in {source}, Schlüssel {key}",
    "layer_user": "festgelegt in der PC-Einstellung {source}, Schlüssel {key}",
    "layer_default": "nichts eingestellt: '{name}' wird über PATH gesucht",
    "interpreter_missing": "'{command}' wurde nicht gefunden ({where}).",
    "fix_interpreter_missing": (
        "In der Eingabeaufforderung der Python-Umgebung mit kundenwert_xl ausführen: "
        "kundenwert setup – das trägt den Pfad von pythonw.exe in die PC-Einstellung ein."
    ),
    "fix_conda_missing": (
        "Die conda-Umgebung aus CONDA PATH/CONDA ENV gibt es nicht. In der richtigen Umgebung "
        "(conda activate NAME) kundenwert setup ausführen."
    ),
    "store_alias": (
        "{path} ist nur die Verknüpfung des Microsoft Store, kein installiertes Python; "
        "Excel kann es nicht starten."
    ),
    "fix_store_alias": (
        "Python von python.org installieren (Add to PATH), dort python -m pip install kundenwert_xl "
        "und kundenwert setup ausführen; oder unter Einstellungen → Apps → App-Ausführungsaliase "
        "die Einträge python.exe und pythonw.exe ausschalten."
    ),
    "dll": "xlwings-DLL",
    "dll_missing": "weder in {folder} noch in {parent} gefunden.",
    "fix_dll_missing": (
        "xlwings neu installieren, in derselben Umgebung: python -m pip install --force-reinstall "
        "xlwings=={version}"
    ),
    "dll_user_site": (
        "liegt in {found} (pip install --user); dort sucht Excel nicht – jede Funktionszelle zeigt "
        "sonst 'Datei nicht gefunden'."
    ),
    "fix_dll_user_site": (
        "Die beiden Dateien xlwings64-…dll und xlwings32-…dll nach {folder} kopieren, oder "
        "kundenwert_xl in einer venv bzw. ohne --user installieren und kundenwert setup ausführen."
    ),
    "probe": "Probelauf dieses Pythons",
    "probe_ok": "xlwings {xlwings}, kundenwert_xl {package} lassen sich laden",
    "probe_timeout": "keine Antwort nach {seconds} Sekunden",
    "fix_probe": (
        "In genau diesem Python installieren: <Pfad>\\python.exe -m pip install kundenwert_xl; "
        "oder mit kundenwert setup das Python eintragen, in dem kundenwert_xl installiert ist."
    ),
    "excel": "Excel",
    "excel_running": "{count} laufende {count:Instanz|Instanzen}, Version {version}, Build {build}",
    "excel_not_running": "läuft gerade nicht (Excel öffnen, um auch Excel selbst zu prüfen)",
    "fix_excel": "Excel starten; bei Fehlern: Excel neu starten.",
    "dynamic_arrays": "Dynamische Arrays (Überlauf)",
    "dynamic_arrays_yes": "vorhanden – die Funktionen laufen über",
    "dynamic_arrays_no": (
        "fehlen (z. B. Excel 2019): die Funktionen liefern nur die linke obere Zelle ihrer Tabelle"
    ),
    "fix_dynamic_arrays": (
        "Microsoft 365 oder Excel 2021 verwenden; die Schaltflächen im Menüband Kundenwert "
        "funktionieren auch ohne dynamische Arrays."
    ),
    "platform": "Betriebssystem",
    "not_windows": (
        "kein Windows: Funktionen in Zellen und Schaltflächen gibt es nur unter Windows mit Excel; "
        "der Befehl kundenwert (recompute, analyze, demo) läuft hier vollständig."
    ),
    "mac": (
        "macOS: Funktionen in Zellen gibt es nur unter Windows. Die Schaltflächen brauchen "
        "'xlwings runpython install' und kundenwert setup (auf dem Mac nicht von uns geprüft); "
        "der Befehl kundenwert (recompute, analyze, demo) läuft vollständig."
    ),
    "template_label": "Vorlage (aus diesem Paket)",
    "workbook": "Mappe {label}",
    "unreadable": "lässt sich nicht lesen: {detail}",
    "no_vba": "enthält kein VBA-Projekt",
    "fix_workbook": "Eine Kopie von workbook_template.xlsm verwenden (kundenwert template build).",
    "data_file": "Das ist eine Datendatei, keine Excel-Mappe.",
    "fix_data_file": (
        "doctor prüft Mappen (.xlsx, .xlsm). Daten aus .csv- oder .parquet-Dateien wertet "
        "kundenwert analyze aus."
    ),
    "vba_version": "xlwings-VBA-Modul",
    "vba_version_detail": "Version {vba}, nötig ist {pinned}",
    "fix_vba_version": (
        "Eine neue Vorlage verwenden (kundenwert template build) – oder xlwings=={vba} installieren."
    ),
    "conf_value": "Blatt xlwings.conf: {value}",
    "conf_missing": "fehlt",
    "fix_conf_value": "Auf dem ausgeblendeten Blatt xlwings.conf bei {key} '{value}' eintragen.",
    "pc_keys": "PC-Einstellungen in der Mappe",
    "pc_keys_none": "keine – es gilt die Einstellung des jeweiligen PCs",
    "fix_pc_keys": (
        "Diese Zeilen auf dem ausgeblendeten Blatt xlwings.conf löschen: ein Eintrag dort (auch ein "
        "leerer) verdeckt die Einstellung jedes PCs, der die Mappe öffnet."
    ),
    "all_ok": "Alles in Ordnung.",
}

# Shown by the workbook's own VBA (no Python needed); cp1252 characters only.
VBA: dict[str, str] = {
    "title": "Kundenwert",
    "not_set_up": (
        "Python bzw. kundenwert_xl ist auf diesem PC nicht eingerichtet – siehe Blatt Anleitung, "
        "Schritt 1–3."
    ),
}

SETUP: dict[str, str] = {
    "help": (
        "Einmal je PC: das Python dieser Umgebung für Excel eintragen (xlwings-Einstellung des "
        "Benutzers); andere Einträge bleiben erhalten."
    ),
    "opt_dry_run": "Nur anzeigen, was geschrieben würde.",
    "unchanged": "{path} ist bereits eingerichtet: {values}",
    "would_write": "Würde {path} schreiben: {values}",
    "written": "{path} geschrieben: {values}",
    "removed": "entfernt: {keys}",
    "other_system": (
        "Hier gibt es kein Excel (weder Windows noch macOS): nichts einzurichten; der Befehl "
        "kundenwert läuft ohne Einrichtung."
    ),
    "next": "Als Nächstes: kundenwert doctor",
}


def format_date(value: object) -> str:
    """``2024-06-30`` -> ``30.06.2024``."""
    return value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else str(value)


def format_int(value: float) -> str:
    """``12345`` -> ``12.345``."""
    return f"{int(value):,}".replace(",", ".")


#: Singular and plural of the nouns we count.
NOUNS: dict[str, tuple[str, str]] = {
    "customer": ("Kunde", "Kunden"),
    "customer_has": ("Kunde hat", "Kunden haben"),
    "dilemma_customer": ("Dilemma-Kunde", "Dilemma-Kunden"),
    "transaction": ("Transaktion", "Transaktionen"),
    "problem": ("Problem", "Probleme"),
    "cell": ("Zelle", "Zellen"),
}


def count(value: int, noun: str) -> str:
    """``1 Kunde``, ``2 Kunden``, ``12.345 Kunden``: the number and the right form of a noun."""
    singular, plural = NOUNS[noun]
    return f"{format_int(value)} {singular if int(value) == 1 else plural}"


def format_decimal(value: float) -> str:
    """``0.125`` -> ``0,125`` (every significant digit, up to 12)."""
    return f"{value:.12g}".replace(".", ",")


def format_bytes(value: int) -> str:
    """``1_610_612_736`` -> ``1,5 GB`` (binary units, German decimal comma)."""
    size, unit = float(value), "Byte"
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            break
        size /= 1024
    return f"{int(size)} {unit}" if unit == "Byte" else f"{size:.1f} {unit}".replace(".", ",")


def format_percent(value: float, digits: int = 0) -> str:
    """``0.234`` -> ``23 %`` (German decimal comma when digits > 0)."""
    return f"{value * 100:.{digits}f}".replace(".", ",") + " %"


def format_share(value: float) -> str:
    """A share in whole percent, but never a misleading ``0 %`` for a share that is not zero.

    ``-0.0016`` -> ``-0,2 %``, ``0.0004`` -> ``weniger als 0,1 %``, ``0.234`` -> ``23 %``.
    """
    text = format_percent(value)
    if value == 0 or text.lstrip("-") != "0 %":
        return text
    text = format_percent(value, 1)
    return "weniger als 0,1 %" if text.lstrip("-") == "0,0 %" else text


def format_number(value: float, digits: int = 4) -> str:
    """``1234.5678`` -> ``1234,568`` (``digits`` significant digits, German decimal comma).

    Never in scientific notation, which German readers (and Excel's German cells) do not take:
    ``3323456.7`` -> ``3323457``, ``0.000012345`` -> ``0,00001235``. No thousands points, so
    the text reads back as the number (:func:`kundenwert_xl.core.german.parse_number`).
    """
    text = f"{value:.{digits}g}"
    if "e" not in text or not math.isfinite(value):
        return text.replace(".", ",")
    # The exponent after rounding to ``digits`` (9999.5 rounds to 1e+04).
    exponent = int(text.split("e")[1])
    if exponent >= 0:
        return f"{value:.0f}"
    return f"{value:.{digits - 1 - exponent}f}".rstrip("0").replace(".", ",")


def format_thousands(value: float, digits: int = 1) -> str:
    """``5491.93`` -> ``5.491,9`` (thousands point, decimal comma)."""
    return f"{value:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def format_euro(value: float) -> str:
    """``-1234.5`` -> ``-1.234,50 €``."""
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} €"


# --- Segments ----------------------------------------------------------------------------------

SEGMENT_RULE_HEADERS = ("Segment", "R von", "R bis", "F von", "F bis", "M von", "M bis")

SEGMENT_NAMES: dict[str, str] = {
    "Champions": "Spitzenkunden",
    "Potential Loyalist": "Potenzielle Stammkunden",
    "Loyal Customers": "Stammkunden",
    "Promising": "Vielversprechende Kunden",
    "New Customers": "Neukunden",
    "Can't Lose Them": "Nicht verlieren",
    "At Risk": "Gefährdet",
    "Need Attention": "Brauchen Aufmerksamkeit",
    "About To Sleep": "Kurz vor dem Einschlafen",
    "Lost": "Verloren",
    "Others": "Sonstige",
    "Premium Customer": "Premiumkunden",
    "Repeat Customer": "Wiederkäufer",
    "Top Spender": "Großabnehmer",
    "At Risk Customer": "Gefährdete Kunden",
    "Inactive Customer": "Inaktive Kunden",
    "Other": "Sonstige",
}
NO_PURCHASE_SEGMENT = "Ohne Kauf"


def segment_name(name: str) -> str:
    """German display name of a preset segment (a user's own name stays as it is)."""
    return SEGMENT_NAMES.get(name, name)


# --- Headline facts as German sentences (Übersicht sheet, CLI) ---------------------------------


def fact_sentences(facts: dict, level: str, dilemma_count: int, dilemma_share: float) -> list[str]:
    """The headline figures of an analysis as German sentences, most important first."""
    pct = format_share
    db = DB_LEVELS[level]
    lines = [
        f"{count(facts['customers'], 'customer')}, Umsatz "
        f"{format_euro(facts['total_revenue'])}, "
        f"{db} {format_euro(facts['total_db'])}."
    ]
    if facts["customer_share_for_80pct_revenue"] == facts["customer_share_for_80pct_revenue"]:
        lines.append(
            f"{pct(facts['customer_share_for_80pct_revenue'])} der Kunden erzielen 80 % des "
            "Umsatzes."
        )
        lines.append(
            f"Die umsatzstärksten 20 % der Kunden bringen {pct(facts['revenue_share_top20'])} "
            "des Umsatzes."
        )
    if facts["total_db"] > 0:
        bottom = facts["db_share_bottom50"]
        middle = facts["db_share_next30"]
        lines += [
            f"Die besten 20 % (nach {db}) erwirtschaften {pct(facts['db_share_top20'])} des "
            "Deckungsbeitrags.",
            (
                f"Die nächsten 30 % vernichten {pct(-middle)} des Deckungsbeitrags."
                if middle < 0
                else f"Die nächsten 30 % tragen {pct(middle)} bei."
            ),
            (
                f"Die übrigen 50 % vernichten {pct(-bottom)} des Deckungsbeitrags."
                if bottom < 0
                else f"Die übrigen 50 % tragen {pct(bottom)} bei."
            ),
            (
                f"Die schlechtesten 10 % kosten {pct(-facts['db_share_worst10'])} des "
                "Deckungsbeitrags."
                if facts["db_share_worst10"] < 0
                else f"Auch die schlechtesten 10 % tragen {pct(facts['db_share_worst10'])} bei."
            ),
            f"Die Walkurve gipfelt bei {pct(facts['whale_peak'])} des gesamten Deckungsbeitrags.",
        ]
    else:
        lines.append(
            f"Der gesamte {db} ist nicht positiv; Anteile am Deckungsbeitrag sind nicht "
            "aussagekräftig."
        )
    lines.append(
        f"{count(facts['negative_db_customers'], 'customer_has')} einen negativen Deckungsbeitrag."
    )
    if dilemma_count:
        lines.append(
            f"{count(dilemma_count, 'dilemma_customer')}: unter den schlechtesten "
            "nach DB, aber "
            f"wichtig nach Umsatz (zusammen {pct(dilemma_share)} des Umsatzes). Bitte auf dem "
            "Blatt Dilemma entscheiden."
        )
    return lines


# --- Report blocks -------------------------------------------------------------------------------

REPORT: dict[str, str] = {
    "customers_title": (
        "Kundenwert je Kunde, Stichtag {ref}, Rang nach Kundenwert (RFMR-Punkte und {level})"
    ),
    "pareto_title": "Pareto nach {level} (Walkurve)",
    "deciles_title": "Dezile nach {level}",
    "overview_title": "Übersicht, Stichtag {ref}",
    "former_decisions": "Frühere Entscheidungen (Kunde steht nicht mehr auf der Dilemma-Liste):",
    "no_dilemma": (
        "Dilemma-Kunden: keine – kein Kunde unter den schlechtesten {share:num6} % nach DB gehört "
        "nach Umsatz {count:zur Klasse|zu den Klassen} {classes}"
    ),
    "targeting_title": (
        "Gezielte Ansprache: {customers:int} {customers:Kunde|Kunden} für {cost} decken {db} des DB und {revenue} des "
        "Umsatzes"
    ),
    "dilemma_count": "Dilemma-Kunden (→ Blatt Dilemma)",
    "reference_date": "Stichtag",
    "scenario_worst": "Schlechteste {share:pct6} nach DB abgeben",
    "scenario_dilemma": "Nur die Dilemma-Kunden abgeben",
    "no_problems": "Keine Probleme gefunden.",
    "forecast_model_title": "Prognosemodell (BG/NBD + Gamma-Gamma), geschätzt bis {ref}",
    "forecast_none": "Prognosemodell: keine Prognose (Grund im Prüfprotokoll)",
    "forecast_check_title": (
        "Modellprüfung: geschätzt bis {cal}, Wiederholungskäufe {start} bis {ref} – "
        "tatsächlich {actual}, erwartet {predicted}"
    ),
    "forecast_check_none": "Modellprüfung: keine (Grund im Prüfprotokoll)",
    "forecast_curve_title": "Modellprüfung: Wiederholungskäufe kumuliert je Woche",
    "forecast_total": "Summe",
}

#: The model parameters with a plain-German reading (Segmente); {value} etc. are filled in.
FORECAST_PARAMS: dict[str, tuple[str, str]] = {
    "r": (
        "r (Kaufrate, Form)",
        "Aktive Kunden kaufen im Mittel an {rate} Tagen im Jahr (52,18 × r / α).",
    ),
    "alpha": ("α (Kaufrate, Skala; Wochen)", "Je größer, desto seltener kaufen die Kunden."),
    "a": (
        "a (Abwanderung)",
        "Nach jedem Kauf wandern im Mittel {churn} der Kunden ab (a / (a + b)).",
    ),
    "b": ("b (Abwanderung)", "Je größer b gegenüber a, desto treuer die Kunden."),
    "p": ("p (Umsatz je Kauf, Form)", "Je größer, desto gleichmäßiger kauft ein Kunde ein."),
    "q": (
        "q (Umsatz je Kauf, Streuung)",
        "Je größer, desto ähnlicher geben die Kunden aus; über 1 nötig.",
    ),
    "gamma": (
        "γ (Umsatz je Kauf, Skala)",
        "Im Mittel {spend} je Kauftag (p × γ / (q − 1)).",
    ),
    "ll_bgnbd": ("Log-Likelihood Kaufmodell", "Güte der Anpassung (höher = besser)."),
    "ll_gamma_gamma": ("Log-Likelihood Ausgabenmodell", "Güte der Anpassung (höher = besser)."),
}

FACT_LABELS: dict[str, str] = {
    "customers": "Kunden",
    "total_revenue": "Nettoumsatz gesamt",
    "total_db": "Deckungsbeitrag gesamt (Rangstufe)",
    "revenue_share_top20": "Umsatzanteil der besten 20 % (nach Umsatz)",
    "customer_share_for_80pct_revenue": "Kundenanteil für 80 % des Umsatzes",
    "db_share_top20": "DB-Anteil der besten 20 %",
    "db_share_next30": "DB-Anteil der nächsten 30 %",
    "db_share_bottom50": "DB-Anteil der übrigen 50 %",
    "db_share_worst10": "DB-Anteil der schlechtesten 10 %",
    "whale_peak": "Gipfel der Walkurve",
    "negative_db_customers": "Kunden mit negativem DB",
}
FACT_PERCENT = frozenset(
    {
        "revenue_share_top20",
        "customer_share_for_80pct_revenue",
        "db_share_top20",
        "db_share_next30",
        "db_share_bottom50",
        "db_share_worst10",
        "whale_peak",
    }
)


# --- Worksheet functions -------------------------------------------------------------------------

UDF_CATEGORY = "Kundenwert"

UDF: dict[str, str] = {
    "error": "Fehler: {text}",
    "unexpected": "Unerwarteter Fehler: {detail}. Bitte 'kundenwert doctor' ausführen.",
    "table": (
        "Bitte die Tabelle mit Überschriften übergeben, z. B. Transaktionen[#Alle] "
        "(englisches Excel: Transaktionen[#All])."
    ),
    "settings": "Einstellungen bitte als zweispaltigen Bereich übergeben (Name, Wert).",
    "abc_limits": (
        "Grenze A ('{a}') und Grenze B ('{b}') müssen Anteile zwischen 0 und 1 sein, A kleiner "
        "als B, z. B. 0,8 und 0,95."
    ),
    "abc_value": (
        "Werte, Zeile {row}: '{value}' ist keine Zahl oder liegt über der Grenze von 1 Billion. "
        "Bitte nur Zahlen oder leere Zellen übergeben."
    ),
}

UDF_DOCS: dict[str, str] = {
    "transaktionen": "Tabelle der Transaktionen mit Überschriften, z. B. Transaktionen[#Alle]",
    "kunden": "Optional: Kundentabelle mit Überschriften (Kosten, Gruppe), z. B. Kunden[#Alle]",
    "werbekontakte": "Optional: Werbekontakte mit Überschriften, z. B. Werbekontakte[#Alle]",
    "stichtag": "Optional: Stichtag; leer = letztes Transaktionsdatum (nie HEUTE())",
    "einstellungen": (
        "Optional: zweispaltiger Bereich Einstellung/Wert, z. B. "
        "Einstellungen[[Einstellung]:[Wert]]"
    ),
    "klassen": "Optional: Anzahl Klassen je Kriterium (2 bis 10), Standard 5",
    "methode": "Optional: Wertgrenzen, Ränge, Feste Grenzen oder Quartile",
    "nach": "Optional: DB (Walkurve, Standard) oder Umsatz",
    "werte": "Spalte mit Werten, z. B. Umsatz je Kunde",
    "grenze_a": "Optional: kumulierter Anteil bis zu dem Kunden A sind, Standard 0,8",
    "grenze_b": "Optional: kumulierter Anteil bis zu dem Kunden B sind, Standard 0,95",
    "ret_table": "Tabelle mit Überschriften (läuft über)",
    "ret_sentences": "Kernaussagen, ein Satz je Zeile",
    "ret_abc": "A, B oder C je Eingabezeile",
    "monate": "Optional: Zeitraum der Prognose in Monaten, Standard 12",
    "zins": "Optional: jährlicher Zins zum Abzinsen, Standard 0,1 (10 %)",
}


# --- Template: the Anleitung sheet and other fixed texts ---------------------------------------

GUIDE: tuple[str, ...] = (
    "Kundenwert – Anleitung",
    "",
    "Was diese Arbeitsmappe tut",
    "Sie berechnet für jeden Kunden einen ersten Kundenwert: RFM-Klassen und RFMR-Punkte, die "
    "Kundendeckungsbeitragsrechnung (DB I bis DB IV), Kundenwert 0–100, Rang, ABC-Klasse, Segment, "
    "Pareto-Tabellen und die Walkurve – und zeigt die Dilemma-Kunden: unter den schlechtesten nach "
    "DB, aber wichtig nach Umsatz.",
    "",
    "Einmalig einrichten (pro PC)",
    "1. Python 3.11 oder neuer von python.org installieren ('Add to PATH' wählen; nicht das Python "
    "aus dem Microsoft Store).",
    "2. In der Eingabeaufforderung: python -m pip install kundenwert_xl",
    "   (installiert auch xlwings 0.37.8 – genau die Version, deren VBA-Modul in dieser Mappe steckt).",
    "3. kundenwert setup – trägt dieses Python für Excel ein (Datei .xlwings\\xlwings.conf im "
    "Benutzerordner; gilt für jede Kopie dieser Mappe). Danach kundenwert doctor: zeigt, was noch "
    "fehlt, und wie man es behebt.",
    "Ohne Python auf dem PC lässt sich die Mappe lesen; beim Öffnen und bei jeder Schaltfläche "
    "erscheint dann ein Hinweis auf diese Anleitung, Funktionszellen zeigen einen Fehler.",
    "",
    "Was wo funktioniert",
    "• Funktionen in Zellen (=KUNDENWERT usw.): nur Windows mit Microsoft 365 oder Excel 2021 "
    "(dynamische Arrays). Excel 2019 und älter zeigt nur die erste Zelle einer Tabelle.",
    "• #ÜBERLAUF! heißt: unter oder rechts der Formel stehen schon Werte. Den Bereich frei machen, "
    "dann läuft die Tabelle über.",
    "• Schaltflächen im Menüband: Windows; auf dem Mac nach 'xlwings runpython install' (nicht von "
    "uns geprüft). Der Befehl kundenwert läuft auf jedem Betriebssystem.",
    "• Mappe auf OneDrive oder SharePoint: funktioniert, Python wird aus der Installation geladen, "
    "nicht aus dem Ordner der Mappe.",
    "",
    "Makros zulassen",
    "• Aus dem Internet oder per E-Mail erhaltene Dateien sperrt Office: Rechtsklick auf die Datei → "
    "Eigenschaften → 'Zulassen' anhaken → OK; oder die Datei in einen vertrauenswürdigen Speicherort "
    "legen (Datei → Optionen → Trust Center).",
    "• Beim Öffnen 'Inhalt aktivieren' wählen.",
    "",
    "Arbeiten mit der Mappe",
    "Die Eingabetabellen dieser Vorlage sind leer; die Ergebnisblätter füllen sich beim ersten "
    "'Neu berechnen'.",
    "1. Daten in die Tabellen Transaktionen, Kunden (optional) und Werbekontakte (optional) "
    "füllen – auf eine von drei Arten:",
    "   a) aus dem ERP-Export kopieren und ab der ersten leeren Zeile unter der Überschrift "
    "einfügen (Werte einfügen); die Tabellen wachsen mit. Überschriften nicht ändern.",
    "   b) Menüband Kundenwert → 'Beispieldaten laden' (ersetzt die Eingaben durch Beispieldaten "
    "zum Ausprobieren).",
    "   c) ohne Excel in der Eingabeaufforderung: kundenwert analyze umsaetze.csv "
    "--kunden kunden.csv --werbekontakte kontakte.csv -o Kundenwert.xlsm – schreibt eine Kopie "
    "dieser Vorlage mit gefüllten Tabellen und berechneten Ergebnissen.",
    "2. Auf dem Blatt Einstellungen Stichtag, Methoden, Kostensätze und Grenzen prüfen.",
    "3. Menüband Kundenwert → 'Eingaben prüfen': Probleme stehen mit Zeile und Spalte im "
    "Prüfprotokoll.",
    "4. 'Neu berechnen': füllt Übersicht, Kundenwert, Segmente, Pareto, Dilemma und Ansprache.",
    "5. Auf dem Blatt Dilemma in der Spalte Entscheidung festhalten, was mit jedem Kunden geschieht. "
    "Die Entscheidungen bleiben bei jeder Neuberechnung erhalten.",
    "6. 'Beispieldaten laden' ersetzt die Eingaben durch Beispieldaten; 'Hilfe' zeigt dieses Blatt.",
    "",
    "Funktionen (laufen über, eine Formel je Tabelle)",
    "Tipp: eine =KUNDENWERT(...)-Formel und Bezüge in ihren Überlaufbereich (z. B. =A2#) statt "
    "vieler Funktionen – jede Funktion liest ihre Tabellen neu aus Excel.",
    "=KUNDENWERT(Transaktionen[#Alle]; Kunden[#Alle]; Werbekontakte[#Alle]) – alles je Kunde",
    "=RFM(Transaktionen[#Alle]; ; 5) – RFM-Klassen, Code und Segment",
    "=RFMR_PUNKTE(Transaktionen[#Alle]; Werbekontakte[#Alle]) – RFMR-Punkte und ihre Herkunft",
    "=DECKUNGSBEITRAG(Transaktionen[#Alle]; Kunden[#Alle]; Werbekontakte[#Alle]) – DB I bis DB IV",
    '=PARETO(Transaktionen[#Alle]; Kunden[#Alle]; Werbekontakte[#Alle]; "Umsatz") – 100 Zeilen',
    "=KERNAUSSAGEN(Transaktionen[#Alle]; Kunden[#Alle]; Werbekontakte[#Alle]) – die Sätze der Übersicht",
    "=ABC_KLASSE(Kundenwert!S3:S500) – A, B oder C je Zeile",
    "=CLV_PROGNOSE(Transaktionen[#Alle]; ; 12; 0,1) – P(aktiv), erwartete Käufe, Umsatz und DB",
    "Optional bei allen: Stichtag (leer = letztes Transaktionsdatum, nie HEUTE()) und "
    "Einstellungen[[Einstellung]:[Wert]].",
    "",
    "Ohne Excel (Linux, Server, große Datenmengen): kundenwert recompute Mappe.xlsm -o Kopie.xlsm",
)

KENNZAHLEN_TITLE = (
    "Eigene Kennzahlen über die Ergebnisblätter (normale Excel-Formeln; dieses Blatt wird bei "
    "der Neuberechnung nicht verändert)"
)
KENNZAHLEN_LABELS: dict[str, str] = {
    "customers": "Kunden",
    "a": "A-Kunden",
    "b": "B-Kunden",
    "c": "C-Kunden",
    "revenue_a": "Nettoumsatz der A-Kunden",
    "revenue": "Nettoumsatz gesamt",
    "db3": "DB III gesamt",
    "dilemma": "Dilemma-Kunden",
    "negative_db3": "Kunden mit negativem DB III",
}
KENNZAHLEN_HEADERS = ("Kennzahl", "Wert")
KENNZAHLEN_SEGMENT_HEADERS = ("Segment", "Kunden", "Nettoumsatz", "DB III")
CHART_AXES = {
    "customers": "Anteil Kunden (beste zuerst)",
    "db": "Anteil am gesamten DB (kumuliert)",
    "deciles": "Dezil der Kunden nach Umsatz (1 = umsatzstärkste 10 %)",
    "revenue_share": "Anteil am Umsatz",
}
OVERVIEW = {
    "dilemma_link": "Zum Blatt Dilemma: dort je Kunde entscheiden",
    # Excel's header/footer codes: &A sheet name, &P page, &N pages.
    "footer": "&A – Seite &P von &N",
    "footer_dated": "&A – Stichtag {reference_date} – Seite &P von &N",
}
DECISION_CHOICES = ("behalten", "Preis erhöhen", "Konditionen nachverhandeln", "abgeben", "prüfen")
CHART_TITLES = {
    "whale": "Walkurve: kumulierter DB nach Anteil der Kunden",
    "pareto": "Pareto: Umsatzanteil je Dezil und kumuliert",
    "segments": "Segmente: Anteil Kunden und Umsatz",
    "forecast": "Modellprüfung: Wiederholungskäufe kumuliert, tatsächlich und erwartet",
}
SETTING_TABLE_HEADERS = ("Einstellung", "Wert", "Erklärung")

#: The command-line framework's own words (click, typer) in German, by their English original;
#: what is not listed stays as the framework says it.
FRAMEWORK: dict[str, str] = {
    "Usage:": "Aufruf:",
    "Options": "Optionen",
    "Arguments": "Argumente",
    "Commands": "Befehle",
    "Positional arguments": "Argumente",
    "Show this message and exit.": "Diese Hilfe zeigen und beenden.",
    "Show the version and exit.": "Die Version zeigen und beenden.",
    "Try '{command} {option}' for help.": "Hilfe: '{command} {option}'.",
    "Error: {message}": "Fehler: {message}",
    "Missing argument": "Es fehlt das Argument",
    "Missing option": "Es fehlt die Option",
    "Missing parameter": "Es fehlt der Parameter",
    "Missing {param_type}": "Es fehlt: {param_type}",
    "Missing parameter: {param_name}": "Es fehlt der Parameter {param_name}",
    "Missing command.": "Es fehlt ein Befehl.",
    "No such command {name!r}.": "Unbekannter Befehl {name!r}.",
    "No such option {name!r}.": "Unbekannte Option {name!r}.",
    "No such option: {name}": "Unbekannte Option: {name}",
    "Option {name!r} does not take a value.": "Die Option {name!r} nimmt keinen Wert.",
    "Option {name!r} requires an argument.": "Die Option {name!r} braucht einen Wert.",
    "Option {name!r} requires {nargs} arguments.": "Die Option {name!r} braucht {nargs} Werte.",
    "Got unexpected extra argument ({args})": "Unerwartetes zusätzliches Argument ({args})",
    "Got unexpected extra arguments ({args})": "Unerwartete zusätzliche Argumente ({args})",
    "Did you mean {possibility}?": "Meinten Sie {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Meinten Sie eines von: {possibilities}?)",
    "Invalid value for {param_hint}: {message}": "Ungültiger Wert für {param_hint}: {message}",
    "Invalid value: {message}": "Ungültiger Wert: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} ist keine gültige {number_type}.",
    "integer": "ganze Zahl",
    "float": "Zahl",
    "{value} is not in the range {range}.": "{value} liegt nicht im Bereich {range}.",
    "{value!r} is not {choice}.": "{value!r} ist nicht {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} ist keiner von {choices}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} existiert nicht.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} ist ein Ordner.",
    "{name} {filename!r} is a file.": "{name} {filename!r} ist eine Datei.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} ist nicht lesbar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} ist nicht beschreibbar.",
    "Could not open file {filename!r}: {message}": (
        "Datei {filename!r} lässt sich nicht öffnen: {message}"
    ),
    "Aborted!": "Abgebrochen.",
    "required": "Pflicht",
    "default: {default}": "Standard: {default}",
    "env var: {var}": "Umgebungsvariable: {var}",
    "unknown error": "unbekannter Fehler",
    "file": "Datei",
    "directory": "Ordner",
    "path": "Pfad",
}

#: typer.rich_utils module constants (help panels, hints), by name (used when rich renders help).
FRAMEWORK_RICH: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": "Argumente",
    "OPTIONS_PANEL_TITLE": "Optionen",
    "COMMANDS_PANEL_TITLE": "Befehle",
    "ERRORS_PANEL_TITLE": "Fehler",
    "ABORTED_TEXT": "Abgebrochen.",
    "RICH_HELP": "Hilfe: [blue]'{command_path} {help_option}'[/]",
    "DEFAULT_STRING": "[Standard: {}]",
    "ENVVAR_STRING": "[Umgebungsvariable: {}]",
    "REQUIRED_LONG_STRING": "[Pflicht]",
    "DEPRECATED_STRING": "(veraltet) ",
}

#: What the command line's framework says itself: usage line, help option, usage errors.
CLI_WORDS: dict[str, str] = {
    "usage": "Aufruf: ",
    "help_option": "Diese Hilfe zeigen und beenden.",
    "options_metavar": "[OPTIONEN]",
    "subcommand_metavar": "BEFEHL [ARGUMENTE]...",
    "try_help": "Hilfe: '{command} {option}'",
    "error": "Fehler: {message}",
    "missing_argument": "Es fehlt das Argument {hint}.",
    "missing_option": "Es fehlt die Option {hint}.",
    "no_such_option": "Unbekannte Option: {name}",
    "did_you_mean": "(Meinten Sie: {names}?)",
    "range_min": "mindestens {low}",
    "range_max": "höchstens {high}",
    "range_both": "{low} bis {high}",
    "bad_value": "Ungültiger Wert für {hint}: {detail}",
    "bad_value_other": "'{input}' ist hier kein gültiger Wert.",
    "file_error": "Datei '{name}' lässt sich nicht öffnen: {detail}",
    "unknown_usage": "Falscher Aufruf: {detail}",
}

#: Placeholders of values in the help (``-o DATEI``), by kind.
METAVARS: dict[str, str] = {
    "file": "DATEI",
    "workbook": "MAPPE",
    "text": "TEXT",
    "date": "DATUM",
    "number": "ZAHL",
}

#: Why typer (through pydantic) refuses an option's value, by pydantic's error type.
PYDANTIC_ERRORS: dict[str, str] = {
    "int_parsing": "'{input}' ist keine ganze Zahl.",
    "int_from_float": "'{input}' ist keine ganze Zahl.",
    "int_type": "'{input}' ist keine ganze Zahl.",
    "float_parsing": "'{input}' ist keine Zahl.",
    "float_type": "'{input}' ist keine Zahl.",
    "bool_parsing": "'{input}' ist weder ja noch nein.",
    "greater_than_equal": "'{input}' ist zu klein; erlaubt ist mindestens {ge}.",
    "greater_than": "'{input}' ist zu klein; erlaubt ist mehr als {gt}.",
    "less_than_equal": "'{input}' ist zu groß; erlaubt ist höchstens {le}.",
    "less_than": "'{input}' ist zu groß; erlaubt ist weniger als {lt}.",
    "literal_error": "'{input}' ist nicht erlaubt; erlaubt: {expected}.",
    "enum": "'{input}' ist nicht erlaubt; erlaubt: {expected}.",
}

#: Messages typer's bundled click writes as literal English, as patterns -> German.
FRAMEWORK_PATTERNS: dict[str, str] = {
    r"Option '(.+)' requires an argument\.": "Die Option '{}' braucht einen Wert.",
    r"Option '(.+)' requires (\d+) arguments\.": "Die Option '{}' braucht {} Werte.",
    r"Option '(.+)' does not take a value\.": "Die Option '{}' nimmt keinen Wert.",
    r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)": "Überzählige Angabe: {}",
    r"Argument '(.+)' takes (\d+) values\.": "Das Argument '{}' braucht {} Werte.",
    r"No such option: (.+)": "Unbekannte Option: {}",
    r"Value (.+) is not a valid (.+)\.": "{} ist kein gültiger Wert.",
}
