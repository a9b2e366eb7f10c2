# Sourced by the bench scripts that start peers on 127.0.0.1 (ca_throughput, ca_soak,
# notary_overhead): a free port, and a bounded wait until something listens on one.
# The sourcing script sets bench_name, which the error message names.

free_port() {  # a TCP port nothing on 127.0.0.1 holds now
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # PORT: up to 10 s for a listener on 127.0.0.1:PORT, else exit 1
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "${bench_name:-bench}: nothing listens on $1" >&2; exit 1
}
