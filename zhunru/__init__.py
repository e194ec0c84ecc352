"""zhunru (准入): decide, explain and repair hospital eligibility for restricted medical technologies."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zhunru")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
