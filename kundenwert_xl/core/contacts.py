"""The advertising contact log (catalogues, mailings) mapped onto the analysis' customers.

RFMR takes the contacts after each customer's last purchase (minus points); the margin stage
DB III takes all contacts up to the reference date (their costs). Both count from one log.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kundenwert_xl import texts
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.ledger import Ledger, day_numbers
from kundenwert_xl.settings import Settings


@dataclass(frozen=True)
class ContactLog:
    """Contacts up to the reference date of known customers, as aligned arrays."""

    customer: np.ndarray
    channel: np.ndarray
    day: np.ndarray
    channels: list[str]
    n_customers: int

    def counts(self, after_day: np.ndarray | None = None) -> np.ndarray:
        """Contacts per customer and channel, only those after ``after_day[customer]`` if given."""
        keep = np.ones(len(self.customer), dtype=bool)
        if after_day is not None:
            keep = self.day > after_day[self.customer]
        k = len(self.channels)
        flat = np.bincount(
            self.customer[keep] * k + self.channel[keep], minlength=self.n_customers * k
        )
        return flat.reshape(self.n_customers, k)

    def per_channel(self, values: dict[str, float]) -> np.ndarray:
        """One value per channel of the log from a name -> value mapping (0 where absent)."""
        lookup = {name.casefold(): v for name, v in values.items()}
        return np.array([lookup.get(c.casefold(), 0.0) for c in self.channels], dtype="float64")


def known_channels(settings: Settings) -> list[str]:
    """Channels the settings know: those with RFMR points and those with costs."""
    names: dict[str, str] = {}
    for name in [*settings.rfmr_contact_points, *settings.contact_costs]:
        names.setdefault(name.casefold(), name)
    return list(names.values())


def contact_log(
    ledger: Ledger, contacts: pd.DataFrame | None, settings: Settings
) -> tuple[ContactLog, list[Problem]]:
    """Map validated contacts onto the ledger's customers and the known channels.

    Raises
    ------
    KundenwertError
        When a contact's channel is neither in the RFMR points nor in the contact costs.
    """
    channels = known_channels(settings)
    empty = np.zeros(0, dtype=np.intp)
    if contacts is None or contacts.empty:
        return ContactLog(empty, empty, empty.astype("int64"), channels, ledger.n_customers), []
    table = texts.TABLE_NAMES["contacts"]
    channel = contacts["channel"]
    if not isinstance(channel.dtype, pd.CategoricalDtype):
        channel = channel.astype("category")
    lookup = {name.casefold(): i for i, name in enumerate(channels)}
    # Map the few category names, then take by code: no string operation per contact row.
    by_category = np.array(
        [lookup.get(str(c).strip().casefold(), -1) for c in channel.cat.categories] + [-1],
        dtype=np.intp,
    )
    ch = by_category[np.asarray(channel.cat.codes)]
    if (ch < 0).any():
        unknown = sorted({str(c) for c in channel[ch < 0]})
        rows = np.flatnonzero(ch < 0)[:5] + 2
        raise KundenwertError(
            [
                Problem(
                    "unknown_channel",
                    texts.message(
                        "unknown_channel",
                        value=", ".join(unknown),
                        setting=texts.SETTING_LABELS["rfmr_contact_points"],
                        rows=", ".join(map(str, rows)),
                    ),
                    table=table,
                    column=texts.header("contacts", "channel"),
                    value=unknown[0],
                )
            ]
        )
    problems: list[Problem] = []
    cust = ledger.customer_codes(contacts["customer_id"])
    day = day_numbers(contacts["date"])
    after = day > ledger.reference_day
    if after.any():
        problems.append(
            Problem(
                "contacts_after_reference_date",
                texts.message("contacts_after_reference_date", count=int(after.sum())),
                table=table,
                column=texts.header("contacts", "date"),
                severity="warning",
            )
        )
    unknown_customer = cust < 0
    if unknown_customer.any():
        problems.append(
            Problem(
                "unknown_customer_in_contacts",
                texts.message(
                    "unknown_customer_in_contacts",
                    count=int(unknown_customer.sum()),
                    # The smallest such id, so the message does not depend on row order.
                    value=str(contacts["customer_id"][unknown_customer].astype(str).min()),
                ),
                table=table,
                column=texts.header("contacts", "customer_id"),
                severity="warning",
            )
        )
    keep = ~unknown_customer & ~after
    log = ContactLog(cust[keep], ch[keep], day[keep], channels, ledger.n_customers)
    return log, problems
