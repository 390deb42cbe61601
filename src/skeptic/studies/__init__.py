"""Every study registers itself on import: one line per study, in the order the report lists them."""
# ruff: noqa: I001  (registration order is the order of `skeptic list` and the report, not the alphabet)

from skeptic.studies.goodhart import study as goodhart  # noqa: F401
from skeptic.studies import random_labels  # noqa: F401
from skeptic.studies import alignment_faking  # noqa: F401
from skeptic.studies import llc  # noqa: F401
from skeptic.studies import superposition  # noqa: F401
from skeptic.studies import mup  # noqa: F401
from skeptic.studies import imitation  # noqa: F401
from skeptic.studies import simple_rl  # noqa: F401
from skeptic.studies import glitch_tokens  # noqa: F401
