// What memory the process has never touched costs on first touch: maps MB megabytes, asks for
// huge pages on them or not, writes one byte into each 4 KB page and prints the time per MB. The
// kernel clears each page as it is first written; on a virtual machine the host may have to back
// it too, and what that costs depends on the page size and on whether the host took the memory
// back since it was last freed (docs/performance.md, "Fresh memory"). Run it twice in a row and
// then again after a few seconds' pause to see both.
//
// Build and run: gcc -O2 -o fresh-pages Benchmarks/fresh-pages.c && ./fresh-pages 300 4k && ./fresh-pages 300 huge
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 3 || atol(argv[1]) <= 0 || (strcmp(argv[2], "4k") != 0 && strcmp(argv[2], "huge") != 0)) {
        fprintf(stderr, "usage: %s MB 4k|huge\n", argv[0]);
        return 2;
    }
    size_t mb = (size_t)atol(argv[1]), bytes = mb << 20;
    int huge = strcmp(argv[2], "huge") == 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (huge && madvise((void *)memory, bytes, MADV_HUGEPAGE) != 0) perror("madvise");
    for (size_t at = 0; at < bytes; at += 4096) memory[at] = 1;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    printf("%zu MB on %s pages: %.1f ms, %.2f ms per MB\n", mb, huge ? "huge" : "4 KB", ms, ms / mb);
    return 0;
}
