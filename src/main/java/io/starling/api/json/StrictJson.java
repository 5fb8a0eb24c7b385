package io.starling.api.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Request JSON is read the way the OpenAI API reads it: {@code "max_tokens": "10"} or {@code 1.5} is a type error,
 * not a silent coercion; trailing garbage after the object is an error. Unknown fields are skipped and logged at
 * debug level, as vLLM and llama-server do, so newer SDKs that send new fields keep working.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /**
     * A mapper that reads and writes request and response bodies as the server does, for code that runs without
     * Quarkus (offline batch jobs): Quarkus' defaults (modules found on the class path, unknown properties and
     * empty beans allowed, ISO dates) plus this class's strictness.
     */
    public static ObjectMapper newMapper() {
        ObjectMapper mapper = JsonMapper.builder().findAndAddModules()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .build();
        new StrictJson().customize(mapper);
        return mapper;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        // no numbers as booleans or strings, no booleans as strings: "stream": 1 and "model": 7 are type errors
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                                                 JsonDeserializer<?> deserializer, Object bean, String property)
                    throws IOException {
                Log.debugf("ignoring unknown request field '%s'", property);
                parser.skipChildren();
                return true;
            }
        });
    }
}
