// How many pages the processor keeps translated, as a program that reads memory at random sees
// it: a chain of PAGES cache lines, one line in each of PAGES 4 KB pages (at a different offset
// in each, so that they do not crowd one cache set), followed in a random cyclic order, and the
// time per load printed. While the pages fit the translation buffer, a load costs what the cache
// holding the lines costs (a few ns); past it, each load also walks the page tables. With huge
// pages granted (AnonHugePages in /proc/self/smaps_rollup, printed), the same 4 KB spacing falls
// within far fewer pages: on a host that backs them with huge pages too, the time stays low
// past the 4 KB reach; on one that does not (some virtual machines), it rises just the same
// (docs/performance.md, "Pages the processor keeps translated").
//
// Build and run: gcc -O2 -o tlb-reach Benchmarks/tlb-reach.c &&
//   for p in 2048 4096 5120 6144 8192 16384; do ./tlb-reach $p 4k; ./tlb-reach $p huge; done
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

// Where the chain ends, kept so that the loads are not optimized away.
static char *volatile sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// The huge pages the process holds, in KB (-1 when it cannot tell).
static long huge_kb(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (f == NULL) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long pages = argc == 3 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 3 || end == argv[1] || *end != '\0' || pages < 2 || pages > (1L << 22) ||
        (strcmp(argv[2], "4k") != 0 && strcmp(argv[2], "huge") != 0)) {
        fprintf(stderr, "usage: %s PAGES 4k|huge   (PAGES from 2 to 4194304)\n", argv[0]);
        return 2;
    }
    int huge = strcmp(argv[2], "huge") == 0;
    const size_t page = 4096, line = 64, align = 2 << 20;
    size_t bytes = (size_t)pages * page;
    char *mapped = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    char *memory = (char *)(((uintptr_t)mapped + align - 1) & ~(uintptr_t)(align - 1));
    if (madvise(memory, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0) perror("madvise");
    memset(memory, 1, bytes);
    size_t *order = malloc((size_t)pages * sizeof *order);
    if (order == NULL) {
        perror("malloc");
        return 1;
    }
    for (long i = 0; i < pages; i++) order[i] = (size_t)i;
    srand(1);
    for (long i = pages - 1; i > 0; i--) {
        long j = rand() % (i + 1);
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    // The line used in page k: offset k * 64 within it, wrapping, so that the lines spread over the sets.
#define AT(k) (memory + (k) * page + ((k) * line) % page)
    for (long i = 0; i < pages; i++) *(char **)AT(order[i]) = AT(order[(i + 1) % pages]);
    char *p = AT(order[0]);
    const long loads = 20000000;
    for (long i = 0; i < loads / 10; i++) p = *(char **)p;
    double start = now();
    for (long i = 0; i < loads; i++) p = *(char **)p;
    double seconds = now() - start;
    sink = p;
    printf("%ld pages (%zu MB) on %s pages: %.1f ns a load; huge pages held: %ld KB\n", pages, bytes >> 20,
           argv[2], seconds / loads * 1e9, huge_kb());
    return 0;
}
