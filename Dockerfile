# syntax=docker/dockerfile:1
# Pitstop: build the TypeScript, then run it with production dependencies only, as a non-root
# user, next to the Slurm client tools, the munge client and OpenSSH.
#
# Run it on a host that can reach slurmctld (usually the cluster's controller or login node):
#   docker run -d --name pitstop --env-file pitstop.env \
#     -v /etc/slurm:/etc/slurm:ro \                     # slurm.conf (and gres.conf) of the cluster
#     -v /run/munge:/run/munge \                        # the host munged's socket: Slurm auth
#     -v /home/opc/.oci:/home/pitstop/.oci:ro \         # OCI config + key (not needed with instance principals)
#     -v /home/opc/.ssh/pitstop:/home/pitstop/.ssh:ro \ # key for the ssh health transport
#     -v pitstop-state:/var/lib/pitstop \               # state file and audit log
#     pitstop
# The Slurm client here is Debian 12's (22.05); Slurm talks to clients up to two major releases
# apart, so for a cluster on 24.11 or later mount the host's Slurm binaries and set SLURM_BIN_DIR.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Everything .dockerignore lets through: sources, tsconfig*, tools/.
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends slurm-client munge openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --user-group pitstop \
 && mkdir -p /var/lib/pitstop \
 && chown pitstop:pitstop /var/lib/pitstop
WORKDIR /app
ENV NODE_ENV=production \
    STATE_FILE=/var/lib/pitstop/state.json \
    SLURM_CONF=/etc/slurm/slurm.conf \
    PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
COPY bin ./bin
USER pitstop
EXPOSE 3000
# `serve` answers /healthz on PORT once the store is open and the last discovery sweep ran.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/pitstop.js"]
CMD ["serve"]
