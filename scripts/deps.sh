#!/bin/sh
# Fetch the Debian source packages of the third-party libraries the init links
# (BearSSL, tpm2-tss), check them against pinned sha256 sums, and build them as
# static libraries: once with musl-gcc for the init, once with the host
# compiler for the host tool and the unit tests.
#
# The system's apt configuration is never edited: a private sources.list,
# list and cache directory live under the output directory.
#
# usage: scripts/deps.sh OUTDIR
set -eu

out=${1:?usage: deps.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

BEARSSL_VERSION=0.6+dfsg.1-3
BEARSSL_SUITE=bookworm
TSS_VERSION=4.1.3-1.2
TSS_SUITE=trixie

# sha256 of every file the two source packages are made of.
sums='
9bd17e07fc9824b0223dcb4ba14adac17981a4d8f1d63b6655819fe8f2ed98d1  bearssl_0.6+dfsg.1-3.dsc
102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004  bearssl_0.6+dfsg.1.orig.tar.xz
051264300dffd810e7ea08f8210d3f9f61773dcd322086c0cbd02bee8d1f73df  bearssl_0.6+dfsg.1-3.debian.tar.xz
84d79c94764446b6c7ff8d32ec739642646f6e9ddb98976c9b5609f06479c5fa  tpm2-tss_4.1.3-1.2.dsc
8a389bda64690910e7af7deaf64703a3faed416dc538c9c3e4f893f24893524d  tpm2-tss_4.1.3.orig.tar.gz
8fd8d4c04b343b9554dd92ae0736aeefa2d41e442f8b7a389a9d6188d0ce517a  tpm2-tss_4.1.3-1.2.debian.tar.xz
'

say() { printf 'deps: %s\n' "$*" >&2; }

fetch() {
	dl=$out/download
	if [ -f "$dl/.verified" ]; then
		return 0
	fi
	mkdir -p "$dl/apt/lists/partial" "$dl/apt/cache"
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' |
		awk '{print $1; exit}')
	[ -n "$uri" ] || { say "no apt repository configured"; exit 1; }
	printf 'deb-src %s %s main\ndeb-src %s %s main\n' \
		"$uri" "$BEARSSL_SUITE" "$uri" "$TSS_SUITE" > "$dl/apt/sources.list"
	set -- -o "Dir::Etc::SourceList=$dl/apt/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$dl/apt/lists" \
		-o "Dir::Cache=$dl/apt/cache" \
		-o APT::Sandbox::User=root -q
	say "fetching source packages from $uri"
	apt-get "$@" update >/dev/null
	(cd "$dl" && apt-get "$@" source --download-only \
		"bearssl=$BEARSSL_VERSION" "tpm2-tss=$TSS_VERSION" >/dev/null)
	(cd "$dl" && printf '%s' "$sums" | sed '/^$/d' | sha256sum -c --quiet -) ||
		{ say "checksum mismatch in $dl"; exit 1; }
	touch "$dl/.verified"
}

unpack() {	# unpack DSC DIR
	if [ ! -d "$out/src/$2" ]; then
		rm -rf "$out/src/$2.tmp"
		mkdir -p "$out/src"
		dpkg-source --no-check -x "$out/download/$1" "$out/src/$2.tmp" >/dev/null
		mv "$out/src/$2.tmp" "$out/src/$2"
	fi
}

# BearSSL's own build, configured for a compiler; the library lands in
# $out/$flavour/lib, its headers in $out/$flavour/include.
build_bearssl() {	# build_bearssl FLAVOUR CC EXTRA_CFLAGS
	dest=$out/$1
	[ -f "$dest/lib/libbearssl.a" ] && return 0
	src=$out/src/bearssl
	cat > "$src/conf/ociboot-$1.mk" <<CONF
include conf/Unix.mk
BUILD = build-$1
CC = $2
CFLAGS = -W -Wall -Os -fPIC -ffunction-sections -fdata-sections $3
LD = $2
DLL = no
TOOLS = no
TESTS = no
CONF
	say "building BearSSL ($1)"
	# Not our make's variables (a BUILD= given to it would override
	# BearSSL's own BUILD): a clean environment for theirs.
	env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL \
		make -C "$src" -s -j2 CONF="ociboot-$1" lib >/dev/null
	mkdir -p "$dest/lib" "$dest/include"
	cp "$src/build-$1/libbearssl.a" "$dest/lib/"
	cp "$src"/inc/*.h "$dest/include/"
}

# tpm2-tss has an autotools build we do not need: the few parts the init uses
# (marshalling, the system API, the device TCTI) compile directly.
build_tss() {	# build_tss FLAVOUR CC EXTRA_CFLAGS
	dest=$out/$1
	[ -f "$dest/lib/libtss2.a" ] && return 0
	src=$out/src/tpm2-tss
	obj=$out/build-tss-$1
	rm -rf "$obj"
	mkdir -p "$obj" "$dest/lib" "$dest/include"
	: > "$obj/config.h"
	say "building tpm2-tss ($1)"
	files=$(cd "$src" && ls src/tss2-mu/*.c src/tss2-sys/*.c \
		src/tss2-sys/api/*.c src/tss2-tcti/tcti-common.c \
		src/tss2-tcti/tcti-device.c src/tss2-tcti/tcti-swtpm.c \
		src/util-io/io.c src/util/log.c \
		src/util/key-value-parse.c)
	for f in $files; do
		o=$obj/$(echo "$f" | tr / _).o
		$2 -c -Os -fPIC -ffunction-sections -fdata-sections -std=gnu99 \
			-DMAXLOGLEVEL=0 -D_GNU_SOURCE $3 -include "$obj/config.h" \
			-I"$obj" -I"$src/include/tss2" -I"$src/include" -I"$src/src" \
			-I"$src/src/tss2-sys" -I"$src/src/tss2-mu" \
			-I"$src/src/tss2-tcti" -I"$src/src/util" \
			-o "$o" "$src/$f" || exit 1
		# Every TCTI defines Tss2_Tcti_Info (for dlopen): keep it
		# local so that two TCTIs link into one static binary.
		objcopy --localize-symbol=Tss2_Tcti_Info "$o"
	done
	ar rcsD "$dest/lib/libtss2.a" "$obj"/*.o
	rm -rf "$dest/include/tss2"
	cp -r "$src/include/tss2" "$dest/include/tss2"
}

# tss2-esys (ESAPI) as its own library, libtss2-esys.a, for salted sessions
# with parameter encryption (docs/tpm.md "Session protection"). Built with
# neither OSSL nor MBED defined: esys_crypto.h then leaves every crypto
# function NULL and the caller supplies them with Esys_SetCryptoCallbacks()
# (tpm/crypto_bearssl.c). esys_context.c calls the TCTI loader only when
# Esys_Initialize() gets no TCTI, which ociboot never does: two stubs stand
# in for tss2-tctildr. A stamp of the file list and flags decides whether an
# existing build is current, so a deps directory built before ESAPI gets it
# added, and one whose flags changed gets it rebuilt.
build_esys() {	# build_esys FLAVOUR CC EXTRA_CFLAGS
	dest=$out/$1
	src=$out/src/tpm2-tss
	obj=$out/build-esys-$1
	files=$(cd "$src" && ls src/tss2-esys/esys_context.c \
		src/tss2-esys/esys_crypto.c src/tss2-esys/esys_free.c \
		src/tss2-esys/esys_iutil.c src/tss2-esys/esys_mu.c \
		src/tss2-esys/esys_tr.c src/tss2-esys/api/*.c)
	flags="-c -Os -fPIC -ffunction-sections -fdata-sections -std=gnu99 \
-DMAXLOGLEVEL=0 -D_GNU_SOURCE $3"
	stamp=$(printf '%s\n%s\n%s\n%s\n' "$TSS_VERSION" "$2" "$flags" \
		"$files" | sha256sum | cut -d' ' -f1)
	if [ -f "$dest/lib/libtss2-esys.a" ] &&
	   [ "$(cat "$dest/lib/libtss2-esys.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$obj" "$dest/lib/libtss2-esys.a" "$dest/lib/libtss2-esys.stamp"
	mkdir -p "$obj" "$dest/lib"
	: > "$obj/config.h"
	cat > "$obj/tctildr-stub.c" <<'STUB'
/* ociboot always gives Esys_Initialize() its TCTI: no loader. */
#include "tss2_tctildr.h"

TSS2_RC Tss2_TctiLdr_Initialize(const char *name, TSS2_TCTI_CONTEXT **ctx)
{
	(void)name;
	*ctx = NULL;
	return TSS2_TCTI_RC_NOT_IMPLEMENTED;
}

void Tss2_TctiLdr_Finalize(TSS2_TCTI_CONTEXT **ctx)
{
	(void)ctx;
}
STUB
	say "building tpm2-tss ESAPI ($1)"
	for f in $files "$obj/tctildr-stub.c"; do
		case $f in
		/*) o=$obj/tctildr-stub.o; f2=$f ;;
		*) o=$obj/$(echo "$f" | tr / _).o; f2=$src/$f ;;
		esac
		# shellcheck disable=SC2086
		$2 $flags -include "$obj/config.h" \
			-I"$obj" -I"$src/include/tss2" -I"$src/include" \
			-I"$src/src" -I"$src/src/tss2-esys" \
			-I"$src/src/tss2-sys" -I"$src/src/tss2-mu" \
			-I"$src/src/tss2-tcti" -I"$src/src/util" \
			-o "$o" "$f2" || exit 1
	done
	ar rcsD "$dest/lib/libtss2-esys.a.tmp" "$obj"/*.o
	mv "$dest/lib/libtss2-esys.a.tmp" "$dest/lib/libtss2-esys.a"
	printf '%s\n' "$stamp" > "$dest/lib/libtss2-esys.stamp"
}

# musl-gcc finds the kernel's uapi headers through this directory.
kernel_headers() {
	k=$out/kinc
	[ -d "$k" ] && return 0
	mkdir -p "$k.tmp"
	arch=$(gcc -print-multiarch)
	ln -s /usr/include/linux "$k.tmp/linux"
	ln -s "/usr/include/$arch/asm" "$k.tmp/asm"
	ln -s /usr/include/asm-generic "$k.tmp/asm-generic"
	ln -s /usr/include/mtd "$k.tmp/mtd"
	mv "$k.tmp" "$k"
}

fetch
unpack bearssl_0.6+dfsg.1-3.dsc bearssl
unpack tpm2-tss_4.1.3-1.2.dsc tpm2-tss
kernel_headers
build_bearssl musl musl-gcc ""
build_bearssl host gcc ""
build_tss musl musl-gcc "-idirafter $out/kinc"
build_tss host gcc ""
build_esys musl musl-gcc "-idirafter $out/kinc"
build_esys host gcc ""
touch "$out/.built"
