package uk.gov.mash.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.RequiredParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * A FHIR R4 server for tests: HAPI's plain RestfulServer (no JPA, no database) on embedded Jetty,
 * serving the resources of a fixture bundle from memory. Patient: read, and search by identifier
 * (system|value), family, given, birthdate (FHIR's string search: case-insensitive prefix).
 * Encounter and Flag: search by subject (or patient) reference.
 *
 * Usage: java -cp ... uk.gov.mash.fhir.TestFhirServer <port, 0 for any free> <bundle.json>
 * Prints "FHIR_SERVER_READY <base url>" once it accepts requests.
 */
public final class TestFhirServer {
  private TestFhirServer() {}

  static final Map<String, Map<String, Resource>> STORE = new LinkedHashMap<>();

  static List<Resource> all(String type) {
    return new ArrayList<>(STORE.getOrDefault(type, Map.of()).values());
  }

  static boolean startsWith(String value, StringParam param) {
    if (value == null) return false;
    String v = value.toLowerCase(Locale.ROOT);
    String p = param.getValue().toLowerCase(Locale.ROOT);
    return param.isExact() ? value.equals(param.getValue()) : v.startsWith(p);
  }

  static boolean refersTo(Reference ref, ReferenceParam param) {
    if (ref == null || !ref.hasReference()) return false;
    IdType id = new IdType(ref.getReference());
    return id.getIdPart().equals(param.getIdPart())
        && (param.getResourceType() == null || param.getResourceType().equals(id.getResourceType()));
  }

  public static final class PatientProvider implements IResourceProvider {
    @Override
    public Class<Patient> getResourceType() {
      return Patient.class;
    }

    @Read
    public Patient read(@IdParam IdType id) {
      Resource r = STORE.getOrDefault("Patient", Map.of()).get(id.getIdPart());
      if (r == null) throw new ResourceNotFoundException(id);
      return (Patient) r;
    }

    @Search
    public List<Patient> search(
        @OptionalParam(name = Patient.SP_IDENTIFIER) TokenParam identifier,
        @OptionalParam(name = Patient.SP_FAMILY) StringParam family,
        @OptionalParam(name = Patient.SP_GIVEN) StringParam given,
        @OptionalParam(name = Patient.SP_BIRTHDATE) DateParam birthdate) {
      List<Patient> out = new ArrayList<>();
      for (Resource r : all("Patient")) {
        Patient p = (Patient) r;
        if (identifier != null) {
          boolean hit = false;
          for (Identifier i : p.getIdentifier())
            hit |= identifier.getValue().equals(i.getValue())
                && (identifier.getSystem() == null || identifier.getSystem().equals(i.getSystem()));
          if (!hit) continue;
        }
        if (family != null && p.getName().stream().noneMatch(n -> startsWith(n.getFamily(), family)))
          continue;
        if (given != null
            && p.getName().stream()
                .flatMap((HumanName n) -> n.getGiven().stream())
                .noneMatch(g -> startsWith(g.getValue(), given))) continue;
        if (birthdate != null
            && (!p.hasBirthDate()
                || !p.getBirthDateElement().getValueAsString().equals(birthdate.getValueAsString())))
          continue;
        out.add(p);
      }
      return out;
    }
  }

  /** Search by subject (or patient) reference: Encounter, Flag. */
  public static final class EncounterProvider implements IResourceProvider {
    @Override
    public Class<Encounter> getResourceType() {
      return Encounter.class;
    }

    @Search
    public List<Encounter> search(@RequiredParam(name = Encounter.SP_SUBJECT) ReferenceParam subject) {
      return bySubject("Encounter", subject, r -> ((Encounter) r).getSubject());
    }

    @Search
    public List<Encounter> byPatient(@RequiredParam(name = Encounter.SP_PATIENT) ReferenceParam patient) {
      return bySubject("Encounter", patient, r -> ((Encounter) r).getSubject());
    }
  }

  public static final class FlagProvider implements IResourceProvider {
    @Override
    public Class<Flag> getResourceType() {
      return Flag.class;
    }

    @Search
    public List<Flag> search(@RequiredParam(name = Flag.SP_SUBJECT) ReferenceParam subject) {
      return bySubject("Flag", subject, r -> ((Flag) r).getSubject());
    }

    @Search
    public List<Flag> byPatient(@RequiredParam(name = Flag.SP_PATIENT) ReferenceParam patient) {
      return bySubject("Flag", patient, r -> ((Flag) r).getSubject());
    }
  }

  @SuppressWarnings("unchecked")
  static <T extends Resource> List<T> bySubject(
      String type, ReferenceParam param, Function<Resource, Reference> subject) {
    List<T> out = new ArrayList<>();
    for (Resource r : all(type)) if (refersTo(subject.apply(r), param)) out.add((T) r);
    return out;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: TestFhirServer <port> <bundle.json>");
      System.exit(2);
    }
    FhirContext ctx = FhirContext.forR4();
    try (Reader reader = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
      Bundle bundle = ctx.newJsonParser().parseResource(Bundle.class, reader);
      for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
        Resource r = e.getResource();
        String type = r.fhirType();
        STORE.computeIfAbsent(type, k -> new LinkedHashMap<>()).put(r.getIdElement().getIdPart(), r);
      }
    }

    RestfulServer fhir = new RestfulServer(ctx);
    fhir.setDefaultResponseEncoding(EncodingEnum.JSON);
    fhir.setResourceProviders(new PatientProvider(), new EncounterProvider(), new FlagProvider());

    Server server = new Server(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(fhir), "/fhir/*");
    server.setHandler(context);
    server.start();
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    System.out.println("FHIR_SERVER_READY http://127.0.0.1:" + port + "/fhir");
    System.out.flush();
    server.join();
  }
}
