package io.starling.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.istio.api.networking.v1.DestinationRule;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.kustomize.v1beta1.Kustomization;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes, Knative, Istio, Gateway API, Prometheus Operator and kustomize documents into fabric8's typed
 * models, the same schemas the API servers enforce, and reports what a server would refuse or silently drop: a kind
 * with no known schema, a value of the wrong type (no coercion: {@code port: "8080"} is not a number), and any field
 * the schema does not have. fabric8 keeps unknown fields in each object's {@code additionalProperties} instead of
 * failing, so every object in the tree is searched for them.
 */
final class ManifestValidator {

    /** apiVersion + kind → model; a manifest of any other kind fails, so a new kind needs its schema here. */
    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("batch/v1/CronJob", CronJob.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("serving.knative.dev/v1/Service", Service.class),
            Map.entry("gateway.networking.k8s.io/v1/HTTPRoute", HTTPRoute.class),
            Map.entry("networking.istio.io/v1/DestinationRule", DestinationRule.class),
            Map.entry("kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class));

    private final ObjectMapper yaml = strict(new ObjectMapper(new YAMLFactory()));

    private static ObjectMapper strict(ObjectMapper mapper) {
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** One document read into its model, or the reasons it could not be. */
    record Checked(JsonNode raw, Object model, List<String> problems) {
        String kind() {
            return raw.path("kind").asText();
        }

        String name() {
            return raw.path("metadata").path("name").asText();
        }
    }

    /** Every document of a YAML stream (blank documents skipped). */
    List<Checked> check(Reader source) throws IOException {
        List<Checked> checked = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = yaml.readerFor(JsonNode.class).readValues(source)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    checked.add(check(document));
                }
            }
        }
        return checked;
    }

    Checked check(JsonNode document) {
        String key = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        Class<?> model = MODELS.get(key);
        if (model == null) {
            return new Checked(document, null, List.of("no schema known for " + key));
        }
        try {
            Object value = yaml.treeToValue(document, model);
            List<String> problems = new ArrayList<>();
            unknownFields(value, "", problems);
            return new Checked(document, value, problems);
        } catch (JsonProcessingException e) {
            return new Checked(document, null, List.of(key + ": " + e.getOriginalMessage() + " at " + e.getLocation()));
        }
    }

    private static void unknownFields(Object node, String path, List<String> problems) {
        if (node == null || node instanceof String || node instanceof Number || node instanceof Boolean || node instanceof Enum<?>) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
            return;
        }
        for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                boolean extra = field.getName().equals("additionalProperties");
                if (!extra && !field.isAnnotationPresent(JsonProperty.class)) {
                    continue;
                }
                field.setAccessible(true);
                Object value;
                try {
                    value = field.get(node);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
                if (extra) {
                    if (value instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                        problems.add("unknown field(s) " + unknown.keySet() + " at " + (path.isEmpty() ? "the top" : path)
                                + " (" + node.getClass().getSimpleName() + ")");
                    }
                } else {
                    unknownFields(value, path + "." + field.getAnnotation(JsonProperty.class).value(), problems);
                }
            }
        }
    }
}
