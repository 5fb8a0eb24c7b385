package io.starling.pipeline;

/** A pipeline definition that cannot run; the message names the config key at fault. */
public final class PipelineConfigException extends IllegalArgumentException {

    PipelineConfigException(String key, String problem) {
        super(key + ": " + problem);
    }
}
