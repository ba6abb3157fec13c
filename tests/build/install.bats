#!/usr/bin/env bats
# The build system's user-facing targets: install, deps.

load ../cli/helpers

@test "make install honours PREFIX and DESTDIR" {
	dest=$BATS_TEST_TMPDIR/dest
	make -s -C "$KW_ROOT" install DESTDIR="$dest" PREFIX=/opt/kw >/dev/null
	[ -x "$dest/opt/kw/bin/klinkwrap" ]
	[ -f "$dest/opt/kw/share/man/man1/klinkwrap.1" ]
	[ -f "$dest/opt/kw/share/klinkwrap/kbuild-integration/README" ]
	run "$dest/opt/kw/bin/klinkwrap" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "klinkwrap "* ]]
	make -s -C "$KW_ROOT" uninstall DESTDIR="$dest" PREFIX=/opt/kw >/dev/null
	[ ! -e "$dest/opt/kw/bin/klinkwrap" ]
}

@test "the man page formats without warnings" {
	require man
	MANWIDTH=80 man --warnings -l "$KW_ROOT/doc/klinkwrap.1" >"$BATS_TEST_TMPDIR/page" \
		2>"$BATS_TEST_TMPDIR/warnings"
	grep -q 'KLINKWRAP(1)' "$BATS_TEST_TMPDIR/page"
	# groff's complaints go to stderr.
	[ ! -s "$BATS_TEST_TMPDIR/warnings" ] || { cat "$BATS_TEST_TMPDIR/warnings"; false; }
}

@test "install-deps names the exact apt-get command when it cannot install" {
	# As a user without root, a missing package is reported, not installed.
	require setpriv
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$KW_ROOT/scripts/install-deps" make no-such-package-klinkwrap-test
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing packages: no-such-package-klinkwrap-test"* ]]
	[[ "$output" == *"apt-get install -y no-such-package-klinkwrap-test"* ]]
	# Nothing missing: nothing to do, success.
	run "$KW_ROOT/scripts/install-deps" make
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
