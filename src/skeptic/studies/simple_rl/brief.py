from skeptic.core.study import Brief

BRIEF = Brief(claimed="x", ran="x", not_shown="x")
