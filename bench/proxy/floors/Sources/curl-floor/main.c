// `curl-floor URL CONNECTIONS SECONDS`: libcurl's multi interface fetching URL over CONNECTIONS
// keep-alive connections, each finished transfer re-added at once, for SECONDS. Bodies and headers
// go to callbacks that drop them. Prints "REQUESTS CPU_US_PER_REQUEST": the least CPU an upstream leg
// through libcurl costs on this machine, with no server, no threads and no language runtime around it.
// Options match Gatehouse's transfers where they affect the work (no signals, 64 KiB buffer).
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static size_t drop(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: curl-floor URL CONNECTIONS SECONDS\n");
        return 2;
    }
    const char *url = argv[1];
    int connections = atoi(argv[2]);
    double duration = atof(argv[3]);
    if (connections < 1 || duration <= 0) {
        fprintf(stderr, "curl-floor: CONNECTIONS and SECONDS must be positive\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    CURLM *multi = curl_multi_init();
    if (!multi) return 1;
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)connections);
    for (int i = 0; i < connections; i++) {
        CURL *easy = curl_easy_init();
        if (!easy) return 1;
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 64L << 10);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, drop);
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, drop);
        curl_multi_add_handle(multi, easy);
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long requests = 0, failures = 0;
    while (seconds_since(&start) < duration) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int queued;
        while ((message = curl_multi_info_read(multi, &queued))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (message->data.result == CURLE_OK && status == 200) requests++; else failures++;
            curl_multi_remove_handle(multi, easy);
            curl_multi_add_handle(multi, easy);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    if (failures > 0 || requests == 0) {
        fprintf(stderr, "curl-floor: %ld transfers failed, %ld succeeded\n", failures, requests);
        return 1;
    }
    printf("%ld %.1f\n", requests, cpu * 1e6 / (double)requests);
    return 0;
}
