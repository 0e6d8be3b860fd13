"""The labelled evaluation of memory quality: ``make eval`` (see docs/eval.md)."""
