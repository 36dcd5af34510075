"""Test-session settings: property tests are derandomized so CI runs the same examples every time.

Set ``HYPOTHESIS_PROFILE=explore`` to search fresh random examples (many more of them) locally.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
