# radlabel-server image. Two stages: the build stage runs the README's own scripts
# (scripts/install-deps.sh, scripts/build.sh), so that CI, which runs them, exercises this
# file's logic; the runtime stage holds the server, the CLI, their runtime libraries and the
# default model bundle, and runs as a non-root user.
#
#   docker build -t radlabel:cpu .
#   docker build -t radlabel:gpu --build-arg TORCH=cuda .   # with a CUDA LibTorch in ./libtorch/
#   docker run -p 50051:50051 -p 9464:9464 radlabel:cpu
#
# Flags come from the environment: FLAGS_<flag name> (absl's --tryfromenv), e.g.
#   docker run -e FLAGS_device=cuda -e FLAGS_max_queue_delay=5ms --gpus all radlabel:gpu
# TORCH=cuda: unpack a CUDA LibTorch (pytorch.org's "LibTorch, C++/Java, CUDA" zip, cxx11 ABI)
# into ./libtorch/ first; nothing is downloaded during the build besides Debian packages.
ARG TORCH=debian

FROM debian:12 AS build
ARG TORCH
WORKDIR /src
COPY . .
RUN ./scripts/install-deps.sh \
 && if [ "$TORCH" = cuda ]; then \
      ./scripts/build.sh -DRADLABEL_BUILD_TESTS=OFF \
        "-DRADLABEL_TORCH_INCLUDE_DIRS=/src/libtorch/include;/src/libtorch/include/torch/csrc/api/include" \
        -DRADLABEL_TORCH_LIBRARY_DIR=/src/libtorch/lib; \
    else \
      ./scripts/build.sh -DRADLABEL_BUILD_TESTS=OFF; \
    fi \
 && mkdir -p /opt/libtorch/lib \
 && if [ "$TORCH" = cuda ]; then cp -a /src/libtorch/lib/. /opt/libtorch/lib/; fi \
 && ./scripts/runtime-libraries.sh --provided /src/libtorch/lib /opt/radlabel/lib \
      build/server/radlabel-server build/client/radlabel

FROM debian:12-slim
# Only the shared libraries the binaries load (scripts/runtime-libraries.sh), not the Debian
# packages that hold them: those bring whole toolkits that LibTorch links for one library each.
# OpenBLAS comes as libblas.so.3: LibTorch's BLAS is chosen by Debian's alternatives, and the
# default reference BLAS is many times slower.
RUN useradd --system --uid 10001 --user-group --no-create-home radlabel
COPY --from=build /opt/radlabel/lib /opt/radlabel/lib
COPY --from=build /opt/libtorch/lib /opt/libtorch/lib
COPY --from=build /src/build/server/radlabel-server /src/build/client/radlabel /usr/local/bin/
COPY --from=build /src/model/default /opt/radlabel/model
ENV LD_LIBRARY_PATH=/opt/libtorch/lib:/opt/radlabel/lib \
    FLAGS_bundle=/opt/radlabel/model \
    FLAGS_listen=0.0.0.0:50051 \
    FLAGS_metrics_listen=0.0.0.0:9464 \
    FLAGS_http_listen=0.0.0.0:8080
USER 10001:10001
# 50051: gRPC (radlabel.v1.Labeller, grpc.health.v1, reflection); 9464: Prometheus GET /metrics;
# 8080: the HTTP/JSON API (POST /v1/label, GET /v1/model, /healthz, /readyz).
EXPOSE 50051 9464 8080
# Every server flag may come from FLAGS_<name> (tests/deploy/test_dockerfile.py keeps this list
# equal to the server's flags).
ENTRYPOINT ["radlabel-server", "--tryfromenv=auth_token_file,bundle,device,heap_trim_threshold_bytes,http_listen,http_threads,intra_op_threads,listen,log_report_ids,log_requests,max_batch_size,max_batch_tokens,max_connection_age,max_connection_age_grace,max_message_bytes,max_queue_delay,max_queue_tokens,max_queue_windows,max_report_bytes,max_reports_per_request,max_request_bytes_in_flight,max_stream_messages_in_flight,metrics_listen,model_workers,precision,reflection,retry_pushback,shutdown_grace,tls_cert,tls_client_ca,tls_key"]
