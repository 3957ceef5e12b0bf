/*
 * fuzz_main.c -- replay driver for the fuzz targets when they are not
 * built with libFuzzer: run LLVMFuzzerTestOneInput once on each input, so
 * the corpus is a regression test under gcc, ASan and UBSan.
 *
 *   fuzz_NAME [FILE|DIR]...
 *
 * A directory stands for the regular files in it (not recursively, in
 * name order, dot files skipped).  With no argument the corpus is
 * tests/fuzz/corpus/NAME, NAME being the program's name: the test runner
 * starts every program from the project root.  Prints "N inputs, 0
 * crashes" and exits 0 -- a crash never gets that far: the name of the
 * input being run is printed when a sanitizer reports, on SIGABRT, and on
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL unless a sanitizer handles them.  Exits
 * 1 when there is no input at all, 2 when one cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

static const char *current_input = "(none)";

/* Sanitizer runtimes read these defaults (the environment still wins):
 * a report ends in abort(), so on_crash names the input. */
const char *
__asan_default_options(void)
{
	return "abort_on_error=1";
}

const char *
__ubsan_default_options(void)
{
	return "abort_on_error=1";
}

static void
on_crash(int sig)
{
	static const char what[] = "fuzz replay: crashed on input ";

	(void)!write(2, what, sizeof(what) - 1);
	(void)!write(2, current_input, strlen(current_input));
	(void)!write(2, "\n", 1);
	raise(sig);                 /* SA_RESETHAND: the default action now */
}

static void
catch_crashes(void)
{
	static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
}

/* The whole file in a buffer of exactly its size (ASan sees overreads). */
static uint8_t *
read_file(const char *path, size_t *sizep)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto fail;
	buf = malloc(size ? (size_t)size : 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto fail;
	fclose(f);
	*sizep = (size_t)size;
	return buf;
fail:
	fprintf(stderr, "fuzz replay: %s: %s\n", path, errno ? strerror(errno) : "short read");
	free(buf);
	if (f != NULL)
		fclose(f);
	exit(2);
}

static void
run_file(const char *path)
{
	size_t size;
	uint8_t *data = read_file(path, &size);

	current_input = path;
	LLVMFuzzerTestOneInput(data, size);
	current_input = "(none)";
	free(data);
}

static int
not_dotfile(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Returns the number of inputs run. */
static unsigned
run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	unsigned n = 0;
	int count, i;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "fuzz replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return 1;
	}
	count = scandir(path, &names, not_dotfile, alphasort);
	if (count < 0) {
		fprintf(stderr, "fuzz replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	for (i = 0; i < count; i++) {
		char *file;
		if (asprintf(&file, "%s/%s", path, names[i]->d_name) < 0)
			exit(2);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			run_file(file);
			n++;
		}
		free(file);
		free(names[i]);
	}
	free(names);
	return n;
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned n = 0;
	int i;

	catch_crashes();
	if (argc < 2) {
		char *dir;
		if (asprintf(&dir, "tests/fuzz/corpus/%s", name) < 0)
			return 2;
		n = run_path(dir);
		free(dir);
	}
	for (i = 1; i < argc; i++)
		n += run_path(argv[i]);
	if (n == 0) {
		fprintf(stderr, "%s: no inputs\n", name);
		return 1;
	}
	printf("%u inputs, 0 crashes\n", n);
	return 0;
}
