# Thin wrapper around meson. Every target installs what it needs first.
BUILD       := build
CHECK_BUILD := build-check
FUZZ_BUILD  := build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all build setup check demo fuzz bench soak golden lint clean

all: build

setup:
	@sh scripts/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Tests run with AddressSanitizer and UndefinedBehaviorSanitizer.
$(CHECK_BUILD)/build.ninja:
	meson setup $(CHECK_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

# The release build too: -O2 warns of what -O0 does not, and make demo
# and make bench use it.
check: setup $(CHECK_BUILD)/build.ninja $(BUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(CHECK_BUILD)
	sh tests/run-all $(CHECK_BUILD)

demo: build
	sh scripts/demo.sh $(BUILD)

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true --buildtype=debugoptimized -Db_lundef=false

fuzz: setup $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	sh tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	sh bench/nat $(BUILD)
	sh bench/fw $(BUILD)

# The long forms of the kill tests: make check runs 300 kills of the
# datastore mid-commit, make soak 5,000.
soak: build
	BULWARK_KILL_ROUNDS=5000 $(BUILD)/tests/unit/store_kill $(BUILD)/tests/unit

# Rewrites the golden files from the current renderer; review the diff.
golden: setup $(CHECK_BUILD)/build.ninja
	ninja -C $(CHECK_BUILD)
	BULWARK_UPDATE_GOLDEN=1 meson test -C $(CHECK_BUILD) --suite unit --no-rebuild -q
	git diff --stat -- tests/golden

lint: setup
	sh scripts/lint.sh

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD)
