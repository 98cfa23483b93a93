"""Test helpers shipped with ao-kernel: fixtures and conformance suites."""
