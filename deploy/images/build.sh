#!/usr/bin/env bash
# Builds the container images of AiDevOps with the .NET SDK (dotnet publish -t:PublishContainer, no Dockerfile) on a
# machine that reaches no public registry and has no container engine, from Debian packages only:
#   1. a distroless-style root filesystem (mmdebstrap --variant=extract: base-files, libc6, libgcc-s1, libstdc++6, libssl3,
#      zlib1g, ca-certificates, tzdata; no shell, no package manager) with the user app (1654), as the vendor's images;
#   2. turned into OCI base images by umoci: runtime-deps (that filesystem; for the Native AOT Agent) and aspnet (plus
#      this SDK's shared frameworks; for the Brain, Insights and Web), copied by skopeo into a docker-registry that listens
#      on 127.0.0.1 only, for the SDK takes a base image only from a registry;
#   3. dotnet publish -t:PublishContainer with those bases pushes each image to that registry, and podman pulls it, so
#      `podman run aidevops-agent:<tag>` runs it.
# The GitHub workflows build from the vendor's images (mcr.microsoft.com) instead; this is how a machine like this one
# proves the same build, and what tests/AiDevOps.Deploy.Tests runs.
#
# Usage: deploy/images/build.sh [Agent|Brain|Insights|Web ...]      (default: all four)
#   IMAGE_TAG      the images' tag (default: dev)
#   IMAGES_DIR     work folder: root filesystem, OCI layouts, the registry's storage (default: .aidevops/images)
#   REGISTRY_PORT  the loopback registry's port (default: 5000)
#   DEBIAN_MIRROR  where mmdebstrap fetches packages (default: http://deb.debian.org/debian)
# Prints one line per image: "<service> <image>@<digest>".
set -euo pipefail
cd "$(dirname "$0")/../.."

tag=${IMAGE_TAG:-dev}
work=$(realpath -m "${IMAGES_DIR:-.aidevops/images}")
port=${REGISTRY_PORT:-5000}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
services=("$@")
((${#services[@]})) || services=(Agent Brain Insights Web)
for service in "${services[@]}"; do
  [ -d "AiDevOps.$service" ] || { echo "no service AiDevOps.$service (Agent, Brain, Insights or Web)" >&2; exit 2; }
done

# What the build needs and the machine lacks; clang and lld link the Native AOT Agent.
missing=()
for tool in mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo docker-registry:docker-registry podman:podman runc:runc \
  conmon:conmon catatonit:catatonit newuidmap:uidmap fuse-overlayfs:fuse-overlayfs clang:clang ld.lld:lld; do
  command -v "${tool%%:*}" >/dev/null || [ -x "/usr/libexec/podman/${tool%%:*}" ] || missing+=("${tool#*:}")
done
[ -e /usr/lib/cni/bridge ] || [ -e /usr/lib/cni/host-local ] || missing+=(containernetworking-plugins)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} (apt)" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$work"
exec 9>"$work/.lock"
flock 9 # one build at a time per work folder: they share the registry and the layouts

# podman as it runs here: no systemd (cgroupfs, events in a file) and runc (crun fails in this sandbox).
podman_() { podman --cgroup-manager=cgroupfs --events-backend=file --runtime runc "$@"; }

dotnet_root=$(dirname "$(realpath "$(command -v dotnet)")")
runtime_version=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')
major=${runtime_version%%.*}.0
layout="$work/oci"
bases_stamp="$work/bases-$runtime_version.done"

build_bases() {
  local rootfs="$work/rootfs" bundle="$work/bundle"
  rm -rf "$rootfs" "$bundle" "$layout" "$work"/bases-*.done
  echo "Base images: a root filesystem from Debian packages, .NET $runtime_version from this SDK" >&2
  mmdebstrap --quiet --mode=auto --variant=extract \
    --include=base-files,libc6,libgcc-s1,libstdc++6,libssl3,zlib1g,ca-certificates,tzdata \
    bookworm "$rootfs" "$mirror" >&2
  # extract runs no maintainer scripts: the CA bundle and the users are written here, as the packages would.
  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/home/app"
  cat /usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' >"$rootfs/etc/group"
  chown 1654:1654 "$rootfs/home/app"
  rm -rf "$rootfs"/usr/share/{doc,man,info,lintian,locale} "$rootfs"/var/cache/* "$rootfs"/var/log/*

  umoci init --layout "$layout"
  umoci new --image "$layout:runtime-deps"
  umoci unpack --image "$layout:runtime-deps" "$bundle" >/dev/null
  cp -a "$rootfs/." "$bundle/rootfs/"
  umoci repack --image "$layout:runtime-deps" "$bundle"
  # As the vendor's runtime-deps: the SDK runs the app as APP_UID and listens on ASPNETCORE_HTTP_PORTS.
  umoci config --image "$layout:runtime-deps" --os linux --architecture amd64 --config.workingdir /app \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env APP_UID=1654 --config.env ASPNETCORE_HTTP_PORTS=8080 --config.env DOTNET_RUNNING_IN_CONTAINER=true

  # aspnet = runtime-deps + the shared frameworks at /usr/share/dotnet, as the vendor's aspnet image.
  rm -rf "$bundle"
  umoci tag --image "$layout:runtime-deps" aspnet
  umoci unpack --image "$layout:aspnet" "$bundle" >/dev/null
  local dotnet="$bundle/rootfs/usr/share/dotnet"
  mkdir -p "$dotnet/shared" "$dotnet/host/fxr"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet/"
  cp -a "$dotnet_root/host/fxr/$runtime_version" "$dotnet/host/fxr/"
  for framework in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
    mkdir -p "$dotnet/shared/$framework"
    cp -a "$dotnet_root/shared/$framework/$runtime_version" "$dotnet/shared/$framework/"
  done
  ln -s ../share/dotnet/dotnet "$bundle/rootfs/usr/bin/dotnet"
  umoci repack --image "$layout:aspnet" "$bundle"
  umoci config --image "$layout:aspnet" --config.env DOTNET_VERSION="$runtime_version" \
    --config.env ASPNET_VERSION="$runtime_version"
  rm -rf "$bundle" "$rootfs"
  touch "$bases_stamp"
}

registry_pid=
stop_registry() { [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true; }
trap stop_registry EXIT

start_registry() {
  if curl -sf "http://127.0.0.1:$port/v2/" >/dev/null; then
    echo "Something already answers on 127.0.0.1:$port; set REGISTRY_PORT to a free port" >&2
    exit 1
  fi
  mkdir -p "$work/registry"
  cat >"$work/registry.yml" <<EOF
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $work/registry }, delete: { enabled: true } }
http: { addr: "127.0.0.1:$port" }
EOF
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && return
    kill -0 "$registry_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the registry did not start; $work/registry.log says:" >&2
  cat "$work/registry.log" >&2
  exit 1
}

[ -e "$bases_stamp" ] || build_bases
start_registry
for base in runtime-deps aspnet; do
  skopeo copy --quiet --dest-tls-verify=false "oci:$layout:$base" "docker://127.0.0.1:$port/dotnet/$base:$major" >&2
done

for service in "${services[@]}"; do
  repository="aidevops-${service,,}"
  base=aspnet
  [ "$service" != Agent ] || base=runtime-deps # the Agent is Native AOT: no shared framework
  echo "Publishing $repository:$tag on dotnet/$base:$major" >&2
  # A publish folder of its own, empty: the image takes the whole folder, and an earlier publish may have left more.
  rm -rf "$work/publish/$service"
  digest=$(dotnet publish "AiDevOps.$service" -c Release -t:PublishContainer -nologo -clp:ErrorsOnly \
    -p:PublishDir="$work/publish/$service/" \
    -p:ContainerBaseImage="localhost:$port/dotnet/$base:$major" -p:ContainerRegistry="localhost:$port" \
    -p:ContainerImageTags="$tag" -getProperty:GeneratedContainerDigest | tail -n 1)
  [[ "$digest" == sha256:* ]] || { echo "no image digest from the publish of $service: $digest" >&2; exit 1; }
  podman_ pull --quiet --tls-verify=false "localhost:$port/$repository:$tag" >/dev/null
  echo "$service localhost:$port/$repository:$tag@$digest"
done
