from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "vigil.bench"
    label = "bench"
    verbose_name = "Benchmarks"
