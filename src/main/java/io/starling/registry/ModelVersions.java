package io.starling.registry;

import java.util.List;
import java.util.Map;

/**
 * The deployed versions of one model name and how its traffic is split, as one immutable value: the registry
 * replaces it whole, so a request never sees half of a traffic change or a reload's switch.
 *
 * @param deployments every version, in the order they were deployed (loading, ready, draining or failed)
 * @param weights     version label → share of the name's requests; absent versions get none
 */
record ModelVersions(List<ModelDeployment> deployments, Map<String, Integer> weights) {

    ModelVersions {
        deployments = List.copyOf(deployments);
        weights = Map.copyOf(weights);
    }

    int weightOf(ModelDeployment deployment) {
        return weights.getOrDefault(deployment.version(), 0);
    }

    ModelDeployment version(String version) {
        for (ModelDeployment d : deployments) {
            if (d.version().equals(version)) {
                return d;
            }
        }
        return null;
    }
}
