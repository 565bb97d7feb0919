"""Natural membership periods (the shared definition in `shared/periods.py`)."""

from shared.periods import PeriodLength, index_containing, is_natural_start, natural_end, nth_start, start_containing

__all__ = ["PeriodLength", "index_containing", "is_natural_start", "natural_end", "nth_start", "start_containing"]
