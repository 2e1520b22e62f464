# apvirt — convenience wrapper around meson/ninja.
#   make demo    build (optimised) and run the demo
#   make check   every test under ASan+UBSan, threaded tests also under TSan, short fuzz runs
#   make bench   build (optimised) and run the benchmarks
#   make fuzz    run every libFuzzer target for 60 s
#   make fuzz-long  the one-hour fuzz_insn campaign on 2 cores (FUZZ_LONG_SECONDS to change)
#   make e2e     QEMU TCG end-to-end run (docs/qemu.md)
#   make qemu-qtest  build QEMU with the AP series and run its qtest
# Each target installs missing packages (scripts/deps.sh) and configures itself.

BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_TSAN ?= build-tsan
BUILD_FUZZ ?= build-fuzz
BUILD_FUZZ_COV ?= build-fuzz-cov
FUZZ_SECONDS ?= 20
MESON      ?= meson
NINJA      ?= ninja

.PHONY: all deps build demo check check-san check-tsan bench fuzz fuzz-long e2e qemu-qtest install clean format

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja: | deps
	$(MESON) setup $(BUILD) --buildtype=release -Ddebug_locks=false

$(BUILD_SAN)/build.ninja: | deps
	$(MESON) setup $(BUILD_SAN) --buildtype=debug -Db_sanitize=address,undefined \
		-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all

$(BUILD_TSAN)/build.ninja: | deps
	$(MESON) setup $(BUILD_TSAN) --buildtype=debugoptimized -Db_sanitize=thread

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

demo: build
	@if [ -x $(BUILD)/cli/apvirt ]; then $(BUILD)/cli/apvirt demo; \
	else $(BUILD)/tests/hw/hwdemo; fi

# Unit + scenario tests (ASan+UBSan), threaded tests (TSan), short fuzz runs;
# ends with the total "N passed, N failed".
check: $(BUILD_SAN)/build.ninja $(BUILD_TSAN)/build.ninja
	$(NINJA) -C $(BUILD_SAN)
	$(NINJA) -C $(BUILD_TSAN)
	tests/check.sh $(abspath $(BUILD_SAN)) $(abspath $(BUILD_TSAN)) $(abspath $(BUILD_FUZZ)) $(FUZZ_SECONDS)

check-san: $(BUILD_SAN)/build.ninja
	$(NINJA) -C $(BUILD_SAN)
	tests/run.sh $(BUILD_SAN)

check-tsan: $(BUILD_TSAN)/build.ninja
	$(NINJA) -C $(BUILD_TSAN)
	tests/run.sh $(BUILD_TSAN) --mt-only

bench: build
	bench/run.sh $(BUILD)

# The AP qtest first (QEMU's own test of the series), then the guests.
e2e: deps
	qemu/build.sh --qtest
	qemu/e2e.sh

qemu-qtest: deps
	qemu/build.sh --qtest

fuzz: deps
	fuzz/run.sh $(abspath $(BUILD_FUZZ)) 60

# Coverage-only build (no sanitizer), both cores, FUZZ_LONG_SECONDS (default 3600).
fuzz-long: deps
	fuzz/long.sh $(abspath $(BUILD_FUZZ_COV))

install: build
	$(MESON) install -C $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_TSAN) $(BUILD_FUZZ) $(BUILD_FUZZ_COV)
