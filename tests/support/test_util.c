#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "test_util.h"

int or_test_run(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    /* A suite that ran nothing is a broken suite, not a passing one. */
    return (failures == 0 && ran > 0) ? 0 : 1;
}

int or_test_refused_port(int *fd)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    if (*fd >= 0 && bind(*fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(*fd, (struct sockaddr *)&a, &len) == 0)
        return ntohs(a.sin_port);
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    return -1;
}

char *or_test_read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return NULL;
    }
    long size = ftell(f);
    rewind(f);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[size] = '\0';
        if (len_out)
            *len_out = (size_t)size;
    }
    return buf;
}

int or_test_under_valgrind(void)
{
    const char *v = getenv("OPENROUTER_TEST_UNDER_VALGRIND");
    return v && *v && strcmp(v, "0") != 0;
}

void or_test_doc_matches(const char *path, char *md, const char *regen)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    char *doc = or_test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL(doc);
    if (doc) {
        CU_ASSERT_STRING_EQUAL(doc, md);
        if (strcmp(doc, md) != 0)
            fprintf(stderr, "\n  %s is stale: regenerate with `%s`\n", path, regen);
    }
    free(doc);
    free(md);
}

int or_test_markdown_main(int argc, char **argv, char *(*markdown)(void), int *exit_code)
{
    if (argc != 2 || strcmp(argv[1], "--markdown") != 0)
        return 0;
    char *md = markdown();
    *exit_code = md ? 0 : 1;
    if (md)
        fputs(md, stdout);
    free(md);
    return 1;
}
