"""Collects check results: every check prints one line, failures are listed again at the end."""

import sys


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []
        self.notes: list[str] = []

    def check(self, name: str, problems: list[str]) -> bool:
        """Records one check; `problems` empty means it passed."""
        if problems:
            self.failures.append(name)
            print(f"FAIL {name}")
            for problem in problems:
                print(f"     - {problem}")
        else:
            self.passed += 1
            print(f"ok   {name}")
        sys.stdout.flush()
        return not problems

    def note(self, text: str) -> None:
        """Something not checked, or checked only partly: printed, never silent."""
        self.notes.append(text)
        print(f"note {text}")

    def summary(self) -> int:
        for failure in self.failures:
            print(f"failed: {failure}")
        print(f"validate: {self.passed} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0
