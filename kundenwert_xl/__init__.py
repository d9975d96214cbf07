"""kundenwert_xl: what each customer is worth, computed the way German CRM practice does it.

The public API (a contract, see DESIGN.md)::

    import kundenwert_xl as kx
    settings = kx.Settings(reference_date="2024-06-30")
    result = kx.analyze(transactions, customers=None, contacts=None, settings=settings)
    summary = kx.rfm_summary(transactions, reference_date="2024-06-30", mode="clv", freq="D")
    model = kx.clv_model(transactions, reference_date="2024-06-30", time_unit="W")
"""

from kundenwert_xl.core.analysis import Analysis, analyze
from kundenwert_xl.core.clv import CLVModel, HoldoutCheck, clv_model
from kundenwert_xl.core.errors import KundenwertError, Problem
from kundenwert_xl.core.settings import Settings
from kundenwert_xl.core.summary import rfm_summary

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "CLVModel",
    "HoldoutCheck",
    "KundenwertError",
    "Problem",
    "Settings",
    "__version__",
    "analyze",
    "clv_model",
    "rfm_summary",
]
