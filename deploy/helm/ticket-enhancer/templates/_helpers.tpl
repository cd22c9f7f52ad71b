{{/* Names, labels and the pieces shared by the ingest, worker and migration pods. */}}

{{- define "te.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* `<release>-<chart>`, or the release name alone when it already contains the chart name. Truncated to
leave room for the `-ingest` / `-worker` / `-migrate` suffixes within the 63-character name limit. */}}
{{- define "te.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "te.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "ingest"). Never change them after a
release exists: Deployment selectors are immutable. */}}
{{- define "te.selectorLabels" -}}
app.kubernetes.io/name: {{ include "te.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every label of one component's objects: (dict "root" $ "component" "ingest"). */}}
{{- define "te.labels" -}}
{{ include "te.selectorLabels" . }}
app.kubernetes.io/part-of: ticket-enhancer
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ include "te.chart" .root }}
{{- end }}

{{- define "te.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- end }}

{{- define "te.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "te.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* One env entry from an existing Secret: (dict "env" "ENHANCER_MASTER_KEY" "ref" .Values.secrets.masterKey
"what" "secrets.masterKey"). A required entry without a Secret name fails the render with the value's path. */}}
{{- define "te.secretEnv" -}}
{{- $ref := .ref }}
{{- if or $ref.name (not $ref.optional) }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s.name must name an existing Secret" .what) $ref.name | quote }}
      key: {{ required (printf "%s.key must name a key of Secret %s" .what $ref.name) $ref.key | quote }}
      optional: {{ $ref.optional | default false }}
{{- end }}
{{- end }}

{{/* The secrets both long-running processes read. */}}
{{- define "te.commonSecretEnv" -}}
{{- $s := .Values.secrets }}
{{- include "te.secretEnv" (dict "env" "ENHANCER_MASTER_KEY" "ref" $s.masterKey "what" "secrets.masterKey") }}
{{- include "te.secretEnv" (dict "env" "ENHANCER_PREVIOUS_MASTER_KEYS" "ref" $s.previousMasterKeys "what" "secrets.previousMasterKeys") }}
{{- include "te.secretEnv" (dict "env" "ENHANCER_DATABASE__URL" "ref" $s.databaseUrl "what" "secrets.databaseUrl") }}
{{- include "te.secretEnv" (dict "env" "ENHANCER_AMQP__URL" "ref" $s.amqpUrl "what" "secrets.amqpUrl") }}
{{- include "te.secretEnv" (dict "env" "ENHANCER_REDIS__URL" "ref" $s.redisUrl "what" "secrets.redisUrl") }}
{{- end }}

{{/* {NAME: value} maps as env entries, sorted by name so renders are stable. */}}
{{- define "te.plainEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ include "te.scalar" $value | quote }}
{{- end }}
{{- end }}

{{/* Soft spreading over nodes and zones of one component: never blocks scheduling, only prefers. */}}
{{- define "te.spreadConstraints" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "te.selectorLabels" . | nindent 8 }}
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "te.selectorLabels" . | nindent 8 }}
{{- end }}

{{/* The /tmp scratch volume: the root filesystem is read-only. */}}
{{- define "te.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{- define "te.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* A scalar as an environment value. YAML numbers arrive as float64, and `toString` would print
1048576 as "1.048576e+06": whole numbers are printed as integers. */}}
{{- define "te.scalar" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}
