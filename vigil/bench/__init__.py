"""Benchmarks and their synthetic generators (`vigil bench ...`; figures in
docs/performance.md), kept out of the domain apps: this package imports them, they never
import it."""
